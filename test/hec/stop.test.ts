// A stop signal (SIGTERM/SIGINT) and the HEC sink: waits end at once, a request in flight gets
// a short grace, and only what Splunk answered 2xx (or acked) counts as delivered.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { HecEmulator } from "../../src/emulators/hec.ts";
import type { Sink } from "../../src/sinks/types.ts";
import { acceptedIds, FAST, ids, makeEvents, useHecFixture } from "./helpers.ts";

// The preload's default does not reach every file (see crash-and-lock.test.ts).
setDefaultTimeout(30_000);

const { startEmulator, sinkFor } = useHecFixture();
let emu: HecEmulator;
let sink: Sink | undefined;

const eventPosts = () => emu.requests.filter((r) => r.path.endsWith("/event"));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(5);
}

test("a stop during backoff ends the wait: nothing more is sent, nothing counted", async () => {
  emu = await startEmulator();
  const stop = new AbortController();
  sink = sinkFor(
    emu,
    { maxRetries: 5 },
    { retryBaseMs: 600_000, retryMaxMs: 600_000, signal: stop.signal },
  );
  emu.fail({ status: 503, code: 9 }, 10);
  const sent = sink.send(makeEvents(3));
  await until(() => eventPosts().length === 1 && eventPosts()[0]?.status === 503);
  stop.abort();
  const r = await sent;
  expect(r.delivered).toEqual([]);
  expect(r.failure?.message).toContain(
    "stopped before the rest of the batch was accepted by Splunk",
  );
  expect(eventPosts()).toHaveLength(1);
});

test("a stop during a Retry-After wait ends it too", async () => {
  emu = await startEmulator();
  const stop = new AbortController();
  sink = sinkFor(emu, {}, { ...FAST, signal: stop.signal });
  emu.fail({ status: 429, code: 26, retryAfter: "25" });
  const sent = sink.send(makeEvents(2));
  await until(() => eventPosts()[0]?.status === 429);
  stop.abort();
  expect((await sent).delivered).toEqual([]);
  expect(eventPosts()).toHaveLength(1);
});

test("a request answered within the grace counts as delivered; no new request starts", async () => {
  emu = await startEmulator();
  const stop = new AbortController();
  sink = sinkFor(emu, { batchSize: 2, concurrency: 1 }, { ...FAST, signal: stop.signal });
  emu.fail({ slowMs: 400 });
  const batch = makeEvents(4); // two requests of two, one at a time
  const sent = sink.send(batch);
  await until(() => eventPosts().length === 1);
  stop.abort();
  const r = await sent;
  expect(r.delivered).toEqual(ids(batch.slice(0, 2)));
  expect(acceptedIds(emu)).toEqual(ids(batch.slice(0, 2)));
  expect(r.failure?.message).toContain("stopped");
  expect(eventPosts()).toHaveLength(1);
});

test("a request that hangs is aborted after the grace: not delivered", async () => {
  emu = await startEmulator();
  const stop = new AbortController();
  sink = sinkFor(emu, { timeoutMs: 120_000 }, { ...FAST, signal: stop.signal });
  emu.fail({ hang: true });
  const sent = sink.send(makeEvents(2));
  await until(() => eventPosts().length === 1);
  stop.abort();
  const r = await sent;
  expect(r.delivered).toEqual([]);
  expect(r.failure).toBeDefined();
  expect(eventPosts()).toHaveLength(1);
});

test("ack mode: a stop polls at once instead of waiting the poll interval; acked counts", async () => {
  emu = await startEmulator({ ack: true });
  const stop = new AbortController();
  sink = sinkFor(
    emu,
    { ack: true, ackPollSeconds: 600, ackTimeoutSeconds: 1200 },
    { ...FAST, signal: stop.signal },
  );
  const batch = makeEvents(3);
  const sent = sink.send(batch);
  await until(() => eventPosts()[0]?.status === 200);
  stop.abort();
  const r = await sent;
  expect(r.delivered).toEqual(ids(batch));
  expect(emu.requests.filter((q) => q.path.endsWith("/ack"))).toHaveLength(1);
});

test("ack mode: what the last poll does not confirm is not delivered", async () => {
  emu = await startEmulator({ ack: true, ackDelayMs: 3_600_000 });
  const stop = new AbortController();
  sink = sinkFor(
    emu,
    { ack: true, ackPollSeconds: 600, ackTimeoutSeconds: 1200 },
    { ...FAST, signal: stop.signal },
  );
  const sent = sink.send(makeEvents(3));
  await until(() => eventPosts()[0]?.status === 200);
  stop.abort();
  const r = await sent;
  expect(r.delivered).toEqual([]);
  expect(r.failure).toBeDefined();
});
