// Transport behaviour a user would notice: compression, size limits, headers, concurrency,
// connection recycling, and results that do not depend on how sends interleave.
import { expect, setDefaultTimeout, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { LogObject } from "consola";
import type { HecEmulator } from "../../src/emulators/hec.ts";
import { buildEnvelopeLine } from "../../src/hec/envelope.ts";
import { logger } from "../../src/log.ts";
import { createHecSink } from "../../src/sinks/hec.ts";
import type { Sink } from "../../src/sinks/types.ts";
import { acceptedIds, FAST, hecConfig, ids, META, makeEvents, useHecFixture } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const { startEmulator, sinkFor, track } = useHecFixture();
let emu: HecEmulator;
let sink: Sink | undefined;

const eventPosts = () => emu.requests.filter((r) => r.path.endsWith("/event"));

test("bodies over ~1.5 kB are gzipped, small ones are not, and SPLUNK_GZIP=false turns it off", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu);
  await sink.send(makeEvents(1));
  await sink.send(makeEvents(50, 100));
  const [small, big] = eventPosts();
  expect(small?.headers["content-encoding"]).toBeUndefined();
  expect(big?.headers["content-encoding"]).toBe("gzip");
  expect(big?.wireBytes).toBeLessThan((big?.bytes ?? 0) / 2);
  await sink.close();
  sink = sinkFor(emu, { gzip: false });
  await sink.send(makeEvents(50, 100));
  expect(eventPosts()[2]?.headers["content-encoding"]).toBeUndefined();
  expect(emu.accepted).toHaveLength(101);
});

test("no request exceeds BATCH_SIZE events or SPLUNK_MAX_BATCH_BYTES uncompressed", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu, { batchSize: 7, maxBatchBytes: 4000 });
  const batch = makeEvents(60, 150);
  const r = await sink.send(batch);
  expect(r.delivered).toEqual(ids(batch));
  expect(acceptedIds(emu)).toEqual(ids(batch));
  for (const p of eventPosts()) expect(p.bytes).toBeLessThanOrEqual(4000);
  expect(eventPosts().length).toBeGreaterThanOrEqual(Math.ceil(60 / 7));
});

test("every request carries the token header and one process-wide channel GUID", async () => {
  emu = await startEmulator({ ack: true, ackDelayMs: 0 });
  sink = sinkFor(emu, { ack: true });
  await sink.send(makeEvents(3));
  await sink.send(makeEvents(3));
  const channels = new Set(emu.requests.map((r) => r.headers["x-splunk-request-channel"]));
  expect(channels.size).toBe(1);
  expect([...channels][0]).toMatch(/^[0-9a-f-]{36}$/);
  for (const r of emu.requests) expect(r.headers.authorization).toBe(`Splunk ${emu.token}`);
  expect(emu.requests.some((r) => r.path.endsWith("/ack"))).toBe(true);
});

test("the emulator drops an unknown top-level key and everything after it, yet answers 200", async () => {
  emu = await startEmulator();
  const ok = (n: number) => buildEnvelopeLine({ n }, `id-${n}`, 0, META);
  const bad = JSON.stringify({ event: "x", extra: 1 });
  const res = await fetch(`${emu.url}/services/collector/event`, {
    method: "POST",
    headers: { Authorization: `Splunk ${emu.token}`, "Content-Encoding": "gzip" },
    body: gzipSync([ok(1), bad, ok(2)].join("\n")),
  });
  expect(res.status).toBe(200);
  expect(emu.accepted.map((e) => e.event)).toEqual([{ n: 1 }]);
  // Hence every other test checking `accepted` proves our envelopes carry no such key.
});

test("HTTP requests in flight stay within SPLUNK_CONCURRENCY however many batches are sent", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu, { concurrency: 2 });
  emu.fail({ slowMs: 50 }, 8);
  const batches = Array.from({ length: 8 }, () => makeEvents(3));
  const results = await Promise.all(batches.map((b) => sink?.send(b)));
  expect(results.map((r) => r?.delivered)).toEqual(batches.map(ids));
  expect(emu.peakConcurrency).toBeLessThanOrEqual(2);
  expect(emu.peakConcurrency).toBe(2);
});

test("interleaved sends with faults each report exactly their own events", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu, { concurrency: 3 });
  const batches = Array.from({ length: 6 }, () => makeEvents(5));
  const poisonId = batches[2]?.[1]?.id;
  emu.poisonWhen((env) =>
    (env.fields as { crusoe_event_id: string }).crusoe_event_id === poisonId
      ? { code: 12 }
      : undefined,
  );
  emu.fail({ status: 503, code: 9 }, 3);
  const results = await Promise.all(batches.map((b) => sink?.send(b)));
  results.forEach((r, i) => {
    const want = ids(batches[i] ?? []).filter((id) => id !== poisonId);
    expect(r?.delivered).toEqual(want);
    expect(r?.deadLettered.map((d) => d.id)).toEqual(i === 2 ? [poisonId as string] : []);
  });
  expect(acceptedIds(emu).sort()).toEqual(
    batches
      .flatMap(ids)
      .filter((id) => id !== poisonId)
      .sort(),
  );
});

test("after a 503 the sender opens a fresh connection (traffic can move to another indexer)", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu, { concurrency: 1 });
  await sink.send(makeEvents(1));
  await sink.send(makeEvents(1));
  emu.fail({ status: 503, code: 9 });
  await sink.send(makeEvents(1));
  const ports = eventPosts().map((p) => p.remotePort);
  expect(ports[1]).toBe(ports[0]); // keep-alive otherwise
  expect(ports[3]).not.toBe(ports[2]);
});

// The warning is config's, once per run (test/config/before-request.test.ts); a daemon's sink
// must not repeat it in other words.
test("SPLUNK_VERIFY_SSL=false: the sink delivers without warning again", async () => {
  emu = await startEmulator();
  const warnings: string[] = [];
  const reporter = {
    log: (l: LogObject) => void (l.type === "warn" && warnings.push(l.args.join(" "))),
  };
  logger.addReporter(reporter);
  try {
    sink = track(createHecSink(hecConfig(emu, { tls: { verify: false } }), FAST));
    await sink.close();
    sink = track(createHecSink(hecConfig(emu, { tls: { verify: false } }), FAST));
    const batch = makeEvents(2);
    expect((await sink.send(batch)).delivered).toEqual(ids(batch));
  } finally {
    logger.removeReporter(reporter);
  }
  expect(warnings.filter((w) => w.includes("SPLUNK_VERIFY_SSL"))).toEqual([]);
});

test("a 401 stops at once: no later piece is tried, nothing is marked delivered", async () => {
  emu = await startEmulator();
  sink = sinkFor(emu, { batchSize: 5 });
  emu.fail({ status: 401, code: 2 });
  const r = await sink.send(makeEvents(20));
  expect(r.delivered).toEqual([]);
  expect(r.deadLettered).toEqual([]);
  expect(r.failure?.message).toMatch(/token missing/);
  expect(JSON.stringify(r)).not.toContain(emu.token);
  expect(eventPosts()).toHaveLength(1);
  expect(emu.accepted).toHaveLength(0);
});
