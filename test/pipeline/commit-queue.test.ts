// Group commit: batches settled while a write runs join the next write, a bounded number wait,
// and nothing is reported committed unless its write succeeded.
import { expect, setDefaultTimeout, test } from "bun:test";
import { CommitQueue } from "../../src/pipeline/commit-queue.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test("batches settled during a write join the next one, in order", async () => {
  const writes: number[][] = [];
  const first = gate();
  const queue = new CommitQueue<number>(async (events) => {
    writes.push(events);
    if (writes.length === 1) await first.opened;
  }, 4);
  const done: number[] = [];
  await queue.add({ events: [1], done: () => done.push(1) });
  await queue.add({ events: [2, 3], done: () => done.push(2) });
  await queue.add({ events: [4], done: () => done.push(4) });
  expect(done).toEqual([]); // the first write is still running
  first.open();
  await queue.drain();
  expect(writes).toEqual([[1], [2, 3, 4]]);
  expect(done).toEqual([1, 2, 4]);
});

test("add waits once `limit` batches are queued behind the running write", async () => {
  const first = gate();
  let calls = 0;
  const queue = new CommitQueue<number>(async () => {
    if (++calls === 1) await first.opened;
  }, 2);
  await queue.add({ events: [1], done: () => {} });
  await queue.add({ events: [2], done: () => {} });
  await queue.add({ events: [3], done: () => {} });
  let third = false;
  const waiting = queue.add({ events: [4], done: () => {} }).then(() => {
    third = true;
  });
  await Bun.sleep(20);
  expect(third).toBe(false);
  first.open();
  await waiting;
  await queue.drain();
  expect(third).toBe(true);
});

test("a failed write is rethrown and nothing from it or after it counts as committed", async () => {
  const first = gate();
  let calls = 0;
  const queue = new CommitQueue<number>(async () => {
    calls++;
    await first.opened;
    throw new Error("disk full");
  }, 4);
  const done: number[] = [];
  await queue.add({ events: [1], done: () => done.push(1) });
  await queue.add({ events: [2], done: () => done.push(2) });
  first.open();
  await expect(queue.drain()).rejects.toThrow("disk full");
  await expect(queue.add({ events: [3], done: () => done.push(3) })).rejects.toThrow("disk full");
  expect(done).toEqual([]);
  expect(calls).toBe(1);
});

test("a write that ends at once still lets later batches through", async () => {
  const writes: number[][] = [];
  const queue = new CommitQueue<number>((events) => {
    writes.push(events);
    return Promise.resolve();
  }, 1);
  for (let n = 0; n < 5; n++) await queue.add({ events: [n], done: () => {} });
  await queue.drain();
  expect(writes.flat()).toEqual([0, 1, 2, 3, 4]);
});
