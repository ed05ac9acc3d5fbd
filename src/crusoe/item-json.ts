// Each audit entry's JSON exactly as Crusoe sent it, cut out of the page's text. Forwarding that
// text is what "the event body is forwarded untouched" means, and it spares a JSON.stringify per
// event (~3 µs, a third of the forwarder's budget). The page was already parsed (so it is valid
// JSON); this only finds where the items of its top-level "items" array begin and end.
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from "../json-chars.ts";

/**
 * The items' texts, or undefined when this page is not the simple shape read here: a line break
 * (an envelope must stay one line), "items" written with escapes or twice, or a count that
 * differs from the parsed items. The caller then serialises the parsed items instead.
 */
export function itemTexts(text: string, itemCount: number): string[] | undefined {
  if (text.includes("\n") || text.includes("\r")) return undefined;
  const out: string[] = [];
  let depth = 0;
  let lastString = -1;
  let key: string | undefined;
  let itemsDepth = -1;
  let itemStart = -1;
  let seenItems = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1) lastString = i;
      i = end;
      continue;
    }
    if (depth === 1 && c === COLON) {
      key = lastString >= 0 ? text.slice(lastString + 1, text.indexOf('"', lastString + 1)) : "";
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 1 && c === OPEN_ARRAY && key === "items") {
        if (seenItems) return undefined;
        seenItems = true;
        itemsDepth = 2;
      } else if (depth === itemsDepth && c === OPEN_OBJECT) itemStart = i;
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === itemsDepth && itemStart >= 0) {
        out.push(text.slice(itemStart, i + 1));
        itemStart = -1;
      } else if (depth === 1 && itemsDepth === 2) itemsDepth = -1;
    }
  }
  return out.length === itemCount ? out : undefined;
}

/** Index of the closing quote of the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
  return end < 0 ? text.length : end;
}

/** An odd run of backslashes before the quote escapes it. */
function isEscaped(text: string, quote: number): boolean {
  let slashes = 0;
  for (let i = quote - 1; text.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 1;
}
