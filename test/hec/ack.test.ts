// Indexer acknowledgement: delivered only on ack true, polled in batches, resent after the ack
// timeout, and cookies kept for sticky load balancers.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { HecConfig } from "../../src/config/types.ts";
import type { HecEmulator, HecEmulatorOptions } from "../../src/emulators/hec.ts";
import type { Sink } from "../../src/sinks/types.ts";
import { acceptedIds, ids, makeEvents, useHecFixture } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const { startEmulator, sinkFor } = useHecFixture();
let emu: HecEmulator;
let sink: Sink | undefined;

async function setup(opts: HecEmulatorOptions, config: Partial<HecConfig> = {}) {
  emu = await startEmulator({ ack: true, ...opts });
  sink = sinkFor(emu, { ack: true, ackPollSeconds: 0.02, ackTimeoutSeconds: 5, ...config });
  return sink;
}

const posts = (suffix: string) => emu.requests.filter((r) => r.path.endsWith(suffix));

test("with delayed acks every batch is delivered once, and only after ack true", async () => {
  const s = await setup({ ackDelayMs: 150 });
  const batches = Array.from({ length: 5 }, () => makeEvents(4));
  const results = await Promise.all(batches.map((b) => s.send(b)));
  expect(results.map((r) => r.delivered)).toEqual(batches.map(ids));
  for (const r of results) expect(r.possibleDuplicates).toBe(0);
  expect(acceptedIds(emu).sort()).toEqual(batches.flatMap(ids).sort());
  expect(posts("/event")).toHaveLength(5);
  // Polls ask about several ids at once and some said false before the delay ran out.
  expect(posts("/ack").length).toBeGreaterThan(1);
  expect(s.maxInFlight).toBeGreaterThan(2);
});

test("a lost poll answer (Splunk forgot the true) ends in a resend counted as possible duplicate", async () => {
  const s = await setup({ ackDelayMs: 0 }, { ackTimeoutSeconds: 0.3 });
  emu.fail({ loseAckPoll: true }, 1);
  const batch = makeEvents(3);
  const r = await s.send(batch);
  expect(r.failure).toBeUndefined();
  expect(r.delivered).toEqual(ids(batch));
  expect(r.possibleDuplicates).toBe(3);
  expect(posts("/event")).toHaveLength(2);
  expect(acceptedIds(emu)).toEqual([...ids(batch), ...ids(batch)]);
});

test("no ack after all resends: failure, nothing delivered", async () => {
  const s = await setup({ ackDelayMs: 60_000 }, { ackTimeoutSeconds: 0.1, maxRetries: 1 });
  const r = await s.send(makeEvents(2));
  expect(r.delivered).toEqual([]);
  expect(r.failure?.message).toMatch(/never acknowledged/);
  expect(r.possibleDuplicates).toBe(4);
});

test("cookies from the load balancer are sent back on /event and /ack", async () => {
  const s = await setup({ requireCookie: true, ackDelayMs: 20 }, { ackTimeoutSeconds: 2 });
  const batch = makeEvents(3);
  const r = await s.send(batch);
  expect(r.delivered).toEqual(ids(batch));
  expect(r.possibleDuplicates).toBe(0);
  const later = emu.requests.slice(1);
  expect(later.length).toBeGreaterThan(0);
  for (const req of later) expect(req.headers.cookie).toMatch(/AWSALB=/);
  expect(posts("/ack").every((p) => p.headers.cookie !== undefined)).toBe(true);
});

test("a token without ack (200 without ackId) turns ack off and counts the 200 as delivered", async () => {
  emu = await startEmulator({ ack: false });
  sink = sinkFor(emu, { ack: true, ackPollSeconds: 0.02 });
  const batch = makeEvents(2);
  const r = await sink.send(batch);
  expect(r.failure).toBeUndefined();
  expect(r.delivered).toEqual(ids(batch));
  expect(acceptedIds(emu)).toEqual(ids(batch));
  expect(posts("/ack")).toHaveLength(0);
});

test("a poll lost before the ack was ready is simply asked again: no resend", async () => {
  const s = await setup({ ackDelayMs: 100 });
  emu.fail({ loseAckPoll: true }, 1);
  const batch = makeEvents(2);
  const r = await s.send(batch);
  expect(r.delivered).toEqual(ids(batch));
  expect(r.possibleDuplicates).toBe(0);
  expect(posts("/ack")[0]?.status).toBe(0);
  expect(posts("/event")).toHaveLength(1);
});
