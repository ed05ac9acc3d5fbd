// The canonical JSON of an entry straight from its text as Crusoe sent it (crusoe/item-json.ts),
// for the common flat, compact entry: its "key":value pairs in key order. Byte-identical to
// canonicalJson(JSON.parse(text)) whenever it answers; it answers undefined (the caller then takes
// the parsed entry) for anything where the text could differ from what JSON.stringify writes:
// an escape, whitespace, a number not in shortest form, a nested object or array, a duplicate
// key, or a key an object lists out of insertion order (integer-like) or drops (`__proto__`).
// Measured with the hash: less than half the cost of a sorted copy and JSON.stringify.
import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from "../json-chars.ts";

/** Key text bounds and pair bounds, four numbers a pair, reused between calls. */
let spans = new Int32Array(64 * 4);
/** The previous entry's keys in text order and the order that sorts them. */
let lastKeys: string[] = [];
let lastOrder: number[] = [];

/**
 * The entry's canonical JSON as UTF-8 bytes: a view of a scratch buffer, valid until the next
 * call (hash it at once). Undefined when the text is not a compact flat entry (see above) or not
 * ASCII (byte and character offsets would differ).
 */
export function canonicalBytes(text: string): Uint8Array | undefined {
  const pairs = readPairs(text);
  if (pairs === undefined) return undefined;
  const order = pairs > 0 ? sortedOrder(text, pairs) : [];
  if (!order) return undefined;
  if (scratch.length < text.length * 2 + 2) scratch = new Uint8Array(text.length * 4);
  const { read, written } = encoder.encodeInto(text, scratch);
  if (read !== text.length || written !== text.length) return undefined;
  let sorted = true;
  for (let i = 0; i < pairs; i++) if (order[i] !== i) sorted = false;
  if (sorted) return scratch.subarray(0, written);
  // The pairs in key order, copied after the text in the same buffer: nothing is allocated.
  let at = written;
  scratch[at++] = OPEN_OBJECT;
  for (let i = 0; i < pairs; i++) {
    const pair = (order[i] as number) * 4;
    if (i > 0) scratch[at++] = COMMA;
    const start = spans[pair + 2] as number;
    const end = spans[pair + 3] as number;
    scratch.copyWithin(at, start, end);
    at += end - start;
  }
  scratch[at++] = CLOSE_OBJECT;
  return scratch.subarray(written, at);
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(1 << 12);

/** Reads the top-level pairs into `spans`; their count, or undefined when not compact and flat. */
function readPairs(text: string): number | undefined {
  if (text.charCodeAt(0) !== OPEN_OBJECT || text.includes("\\")) return undefined;
  let pairs = 0;
  let at = 1;
  if (text.charCodeAt(at) === CLOSE_OBJECT) return at + 1 === text.length ? 0 : undefined;
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return undefined;
    const keyEnd = text.indexOf('"', at + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    const first = text.charCodeAt(at + 1);
    if (first >= 48 && first <= 57) return undefined;
    const valueEnd = skipValue(text, keyEnd + 2, true);
    if (valueEnd < 0) return undefined;
    if ((pairs + 1) * 4 > spans.length) spans = grow(spans);
    const slot = pairs * 4;
    spans[slot] = at + 1;
    spans[slot + 1] = keyEnd;
    spans[slot + 2] = at;
    spans[slot + 3] = valueEnd;
    pairs++;
    const next = text.charCodeAt(valueEnd);
    at = valueEnd + 1;
    if (next === CLOSE_OBJECT) break;
    if (next !== COMMA) return undefined;
  }
  return at === text.length ? pairs : undefined;
}

/** End of the value starting at `at` (a string, literal, number or flat array), or -1. */
function skipValue(text: string, at: number, arrayAllowed: boolean): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) {
    const end = text.indexOf('"', at + 1);
    return end < 0 ? -1 : end + 1;
  }
  if (c === OPEN_ARRAY && arrayAllowed) {
    let i = at + 1;
    if (text.charCodeAt(i) === CLOSE_ARRAY) return i + 1;
    for (;;) {
      i = skipValue(text, i, false);
      if (i < 0) return -1;
      const next = text.charCodeAt(i);
      i++;
      if (next === CLOSE_ARRAY) return i;
      if (next !== COMMA) return -1;
    }
  }
  let end = at;
  while (end < text.length && isBareChar(text.charCodeAt(end))) end++;
  if (end === at) return -1;
  const token = text.slice(at, end);
  if (token === "true" || token === "false" || token === "null") return end;
  // A number must already be in the form JSON.stringify writes (no 1.0, 1e3 or -0).
  return String(Number(token)) === token && Number.isFinite(Number(token)) ? end : -1;
}

/** Characters of a literal or number: letters, digits, '+', '-', '.'. */
function isBareChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 43 || c === 45 || c === 46 || c === 69
  );
}

/** Indices of the pairs in key order; undefined for a duplicate key or `__proto__`. */
function sortedOrder(text: string, pairs: number): number[] | undefined {
  if (pairs === lastKeys.length) {
    let same = true;
    for (let i = 0; i < pairs && same; i++) {
      const key = lastKeys[i] as string;
      const start = spans[i * 4] as number;
      same = spans[i * 4 + 1] - start === key.length && text.startsWith(key, start);
    }
    if (same) return lastOrder;
  }
  const keys: string[] = [];
  for (let i = 0; i < pairs; i++) keys.push(text.slice(spans[i * 4], spans[i * 4 + 1]));
  const order = keys.map((_, i) => i).sort((a, b) => compare(keys[a] as string, keys[b] as string));
  for (let i = 0; i < pairs; i++) {
    const key = keys[order[i] as number];
    if (key === "__proto__" || (i > 0 && key === keys[order[i - 1] as number])) return undefined;
  }
  lastKeys = keys;
  lastOrder = order;
  return order;
}

/** The order Array.prototype.sort gives strings (UTF-16 code units). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function grow(old: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(old.length * 2);
  bigger.set(old);
  return bigger;
}
