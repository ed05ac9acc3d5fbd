import { expect, setDefaultTimeout, test } from "bun:test";
import { readAhead } from "../../src/pipeline/read-ahead.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

/** Chunks of `pages` pages each; counts pages fetched (or being fetched) but not yet delivered. */
function source(chunkCount: number, pages: number) {
  const held = { now: 0, max: 0 };
  const fetch = async function* (chunk: number) {
    for (let page = 0; page < pages; page++) {
      held.now++;
      held.max = Math.max(held.max, held.now);
      await Bun.sleep(1);
      yield `${chunk}:${page}`;
    }
  };
  const chunks = Array.from({ length: chunkCount }, (_, n) => n);
  return { chunks, fetch, held };
}

/** Delivers every page, each slower than it is read (so read-ahead fills up); their order. */
async function deliverSlowly(
  { chunks, fetch, held }: ReturnType<typeof source>,
  options: Parameters<typeof readAhead>[2],
  pageMs: number,
): Promise<string[]> {
  const seen: string[] = [];
  for await (const { pages } of readAhead(chunks, fetch, options)) {
    for await (const page of pages) {
      await Bun.sleep(pageMs);
      held.now--;
      seen.push(page);
    }
  }
  return seen;
}

test("pages come in order, and the chunks behind the head share one small budget", async () => {
  const read = source(10, 6);
  const { chunks, held } = read;
  const seen = await deliverSlowly(read, { concurrency: 4, pagesAhead: 2, sharedAhead: 2 }, 3);
  expect(seen).toEqual(chunks.flatMap((c) => Array.from({ length: 6 }, (_, p) => `${c}:${p}`)));
  // The head's 2 pages, the page being fetched for it, the shared 2, and the one being delivered.
  expect(held.max).toBeLessThanOrEqual(6);
  expect(held.max).toBeGreaterThanOrEqual(4); // the other chunks did read ahead
});

test("a failing chunk behind the head surfaces when it is reached, and nothing hangs", async () => {
  const fetch = async function* (chunk: number) {
    yield `${chunk}:0`;
    if (chunk === 2) throw new Error("chunk 2 failed");
    yield `${chunk}:1`;
  };
  const seen: string[] = [];
  const run = async () => {
    for await (const { pages } of readAhead([0, 1, 2, 3], fetch, {
      concurrency: 4,
      pagesAhead: 2,
      sharedAhead: 1,
    })) {
      for await (const page of pages) seen.push(page);
    }
  };
  await expect(run()).rejects.toThrow("chunk 2 failed");
  expect(seen).toEqual(["0:0", "0:1", "1:0", "1:1", "2:0"]);
});

test("behind a stalled head exactly the shared budget is read ahead, after many chunks ended behind it", async () => {
  // Chunks 0-5 have one page (each one ends while behind the head), chunks 6-9 five each.
  const pageCount = (chunk: number) => (chunk < 6 ? 1 : 5);
  const fetched: number[] = []; // the chunk of each page asked of its source
  const fetch = async function* (chunk: number) {
    for (let page = 0; page < pageCount(chunk); page++) {
      fetched.push(chunk);
      yield `${chunk}:${page}`;
    }
  };
  const chunks = Array.from({ length: 10 }, (_, n) => n);
  const delivered: number[] = [];
  const behind: number[] = [];
  for await (const { chunk, pages } of readAhead(chunks, fetch, {
    concurrency: 4,
    pagesAhead: 2,
    sharedAhead: 2,
  })) {
    for await (const _page of pages) {
      delivered.push(chunk);
      // The head's pages read before it was the head are delivered: it holds no budget now.
      if (chunk >= 6 && delivered.filter((c) => c === chunk).length === 2) {
        await Bun.sleep(20); // the head stalls: everything that may be read ahead now is
        const count = (list: number[]) => list.filter((c) => c > chunk).length;
        behind.push(count(fetched) - count(delivered));
      }
    }
  }
  expect(delivered).toEqual(chunks.flatMap((c) => Array(pageCount(c)).fill(c)));
  // Pages held behind heads 6, 7, 8 and 9: the budget, used whole, until no chunk is left.
  expect(behind).toEqual([2, 2, 2, 0]);
});

test("with no shared budget only the head reads, and each chunk is woken when it becomes the head", async () => {
  const read = source(4, 3);
  const { chunks, held } = read;
  const seen = await deliverSlowly(read, { concurrency: 3, pagesAhead: 2, sharedAhead: 0 }, 2);
  expect(seen).toEqual(chunks.flatMap((c) => Array.from({ length: 3 }, (_, p) => `${c}:${p}`)));
  // The head's 2 pages and the one being fetched for it; nothing behind it.
  expect(held.max).toBeLessThanOrEqual(3);
}, 5_000); // a chunk never woken hangs: fail fast
