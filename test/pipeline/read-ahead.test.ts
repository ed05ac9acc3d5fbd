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

test("pages come in order, and the chunks behind the head share one small budget", async () => {
  const { chunks, fetch, held } = source(10, 6);
  const seen: string[] = [];
  for await (const { pages } of readAhead(chunks, fetch, {
    concurrency: 4,
    pagesAhead: 2,
    sharedAhead: 2,
  })) {
    for await (const page of pages) {
      await Bun.sleep(3); // delivery is slower than reading: read-ahead fills up
      held.now--;
      seen.push(page);
    }
  }
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
