// Paging over one window: follow next_page_token until empty, and refuse to loop forever.
import type { AuditLogEntry } from "./entry.ts";
import { CrusoeError } from "./errors.ts";
import type { Page, PageItems } from "./response.ts";

// Consecutive pages with the same content mean the server ignores our token (the old
// forwarder's `offset` bug returned page 1 forever). Cheap checks first, full compare last.
function samePage(a: AuditLogEntry[] | undefined, b: AuditLogEntry[]): boolean {
  if (!a || a.length === 0 || a.length !== b.length) return false;
  if (JSON.stringify(a[0]) !== JSON.stringify(b[0])) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Empty pages that still carry a new token: a server filtering after paging may send a few, but
 * one that never stops would be paged forever (1,364 requests a minute were seen).
 */
export const MAX_EMPTY_PAGES = 50;

/** Yields each page's items; only the previous page is kept (memory bounded by a page or two). */
export async function* readPages(
  base: [string, string][],
  fetchPage: (query: [string, string][]) => Promise<Page>,
): AsyncGenerator<PageItems> {
  const seen = new Set<string>();
  let token = "";
  let previous: AuditLogEntry[] | undefined;
  let emptyInARow = 0;
  for (let n = 1; ; n++) {
    const page = await fetchPage(token ? [...base, ["next_token", token]] : base);
    if (samePage(previous, page.items)) {
      throw new CrusoeError(
        `Crusoe returned the same page twice in a row (page ${n}): stopping instead of looping`,
        undefined,
        "the server seems to ignore next_token; check CRUSOE_BASE_URL points at Crusoe's API",
      );
    }
    if (page.nextToken !== "" && (page.nextToken === token || seen.has(page.nextToken))) {
      throw new CrusoeError(
        `Crusoe repeated a page token after page ${n}: stopping instead of looping`,
        undefined,
        "the server's paging is broken; nothing was advanced, so a later run reads this window again",
      );
    }
    emptyInARow = page.items.length === 0 && page.nextToken !== "" ? emptyInARow + 1 : 0;
    if (emptyInARow >= MAX_EMPTY_PAGES) {
      throw new CrusoeError(
        `Crusoe returned ${emptyInARow} empty pages in a row, each with a new next_page_token (page ${n}): stopping instead of paging forever`,
        undefined,
        "the server's paging never ends; nothing was advanced, so a later run reads this window again",
      );
    }
    yield page.items;
    if (page.nextToken === "") return;
    seen.add(page.nextToken);
    token = page.nextToken;
    previous = page.items;
  }
}
