// The one Retry-After parser and the one backoff, shared by the Crusoe reader and the HEC sender.
import { expect, setDefaultTimeout, test } from "bun:test";
import { afterGrace, computeBackoff, parseRetryAfter, sleep } from "../src/wait.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

test("Retry-After: delta-seconds, or an HTTP date against the answer's Date when there is one", () => {
  const local = Date.parse("2025-01-01T00:00:00Z");
  const server = local + 3_600_000;
  expect(parseRetryAfter("7", local)).toBe(7000);
  expect(parseRetryAfter(" 7 ", local, server)).toBe(7000);
  expect(parseRetryAfter("Wed, 01 Jan 2025 01:00:05 GMT", local, server)).toBe(5000);
  expect(parseRetryAfter("Wed, 01 Jan 2025 01:00:05 GMT", local)).toBe(3_605_000);
  expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", local)).toBe(0);
  expect(parseRetryAfter("-5", local)).toBeUndefined();
  expect(parseRetryAfter("", local)).toBeUndefined();
});

test("backoff: retry n waits in [c/2, c] with c = base·2^(n−1), capped", () => {
  expect(computeBackoff(1, 500, 30_000, () => 0)).toBe(250);
  expect(computeBackoff(1, 500, 30_000, () => 1)).toBe(500);
  expect(computeBackoff(3, 500, 30_000, () => 1)).toBe(2000);
  expect(computeBackoff(20, 500, 30_000, () => 1)).toBe(30_000);
  expect(computeBackoff(20, 500, 30_000, () => 0)).toBe(15_000);
});

test("a sleep ends at once on a stop, and says so", async () => {
  const stop = new AbortController();
  const slept = sleep(3_600_000, stop.signal);
  stop.abort();
  expect(await slept).toBe(false);
  expect(await sleep(1, stop.signal)).toBe(false);
  expect(await sleep(1)).toBe(true);
});

test("afterGrace aborts only once the grace after the stop has passed", async () => {
  const stop = new AbortController();
  const late = afterGrace(stop.signal, 50) as AbortSignal;
  await Bun.sleep(80);
  expect(late.aborted).toBe(false);
  stop.abort();
  expect(late.aborted).toBe(false);
  await Bun.sleep(150);
  expect(late.aborted).toBe(true);
});
