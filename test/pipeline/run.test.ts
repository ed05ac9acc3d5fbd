// The pipeline in-process against the emulators: range resume, modes deduplicating each other,
// concurrent chunk reads committing in order.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedConfig } from "../../src/config/types.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { configForEmulators } from "../../src/emulators/config.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { runOnce } from "../../src/pipeline/session.ts";
import { eventId } from "../../src/state/event-id.ts";

// Several runs against the emulators per test; the preload's default does not reach every file.
setDefaultTimeout(60_000);
let crusoe: CrusoeEmulator;
let hec: HecEmulator;
let stateDir: string;
afterEach(async () => {
  await Promise.all([crusoe?.close(), hec?.close()]);
  rmSync(stateDir, { recursive: true, force: true });
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const acceptedIds = () =>
  hec.accepted.map((e) => (e.fields as Record<string, string>).crusoe_event_id);

async function setup(count: number, startMs: number, endMs: number): Promise<ResolvedConfig> {
  const entries = generateAuditEntries(count, { startMs, endMs, seed: 21 });
  crusoe = await startCrusoeEmulator({ entries });
  hec = await startHecEmulator();
  stateDir = mkdtempSync(join(tmpdir(), "csh-run-"));
  const config = configForEmulators(crusoe, hec, stateDir);
  config.crusoe.pageSize = 100;
  return config;
}

test("forward-range: an interrupted range resumes, a finished one sends nothing again", async () => {
  const end = Date.now() - 10 * 24 * HOUR;
  const start = end - 6 * HOUR;
  const config = await setup(3000, start, end);
  config.window.concurrency = 4;
  // Small requests, so the stop lands inside a chunk after some of it was committed.
  config.hec.batchSize = 100;
  const mode = { kind: "range", start: iso(start), end: iso(end) } as const;

  // Stop (as SIGTERM would) once the first batches of the first chunk were accepted.
  hec.fail({ slowMs: 30 }, 1000);
  const stop = new AbortController();
  const watcher = setInterval(() => {
    if (hec.accepted.length >= 100) stop.abort();
  }, 1);
  const first = await runOnce(mode, config, { signal: stop.signal }).finally(() =>
    clearInterval(watcher),
  );
  expect(first.outcome).toBe("interrupted");
  const partial = hec.accepted.length;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(3000);

  const second = await runOnce(mode, config, {});
  expect(second.outcome).toBe("ok");
  // The events are 10 days old, past the 24 h dedup retention: the run keeps their ids anyway
  // until the next run, so even the chunk that was in progress is not sent again.
  expect(new Set(acceptedIds()).size).toBe(3000);
  expect(hec.accepted.length).toBe(3000);
  expect(second.counts.duplicates).toBe(partial);

  const before = hec.accepted.length;
  const third = await runOnce(mode, config, {});
  expect(third.outcome).toBe("ok");
  expect(hec.accepted.length).toBe(before);
});

test("forward, forward-recent and forward-range never repeat each other inside the dedup retention", async () => {
  const now = Date.now();
  const config = await setup(1200, now - 3 * HOUR, now - 60_000);
  config.window.lookbackSeconds = 4 * 3600;
  const quiet = {};
  expect((await runOnce({ kind: "forward" }, config, quiet)).counts.delivered).toBe(1200);
  const recent = await runOnce({ kind: "recent", hours: 2 }, config, quiet);
  expect(recent.counts.delivered).toBe(0);
  expect(recent.counts.duplicates).toBeGreaterThan(0);
  const range = await runOnce({ kind: "range", start: iso(now - 4 * HOUR) }, config, quiet);
  expect(range.counts.delivered).toBe(0);
  expect(hec.accepted.length).toBe(1200);
  expect(new Set(acceptedIds())).toEqual(
    new Set(
      generateAuditEntries(1200, { startMs: now - 3 * HOUR, endMs: now - 60_000, seed: 21 }).map(
        eventId,
      ),
    ),
  );
});

test("chunks fetched concurrently still commit in order: a failure leaves the checkpoint before it", async () => {
  const now = Date.now();
  const config = await setup(2000, now - 5 * HOUR, now - 60_000);
  config.window.lookbackSeconds = 6 * 3600;
  config.window.concurrency = 4;
  config.hec.maxRetries = 0;
  // Let about half the batches through, then HEC refuses.
  hec.poisonWhen(() => undefined);
  const limit = 1000;
  const original = hec.accepted;
  const report = await runOnce({ kind: "forward" }, config, {
    progress: () => {
      if (original.length >= limit) hec.setDown(true);
    },
  });
  expect(report.outcome).toBe("failed");
  const checkpoint = report.checkpointMs ?? 0;
  const delivered = new Set(acceptedIds());
  const entries = generateAuditEntries(2000, {
    startMs: now - 5 * HOUR,
    endMs: now - 60_000,
    seed: 21,
  });
  // Every event before the checkpoint was delivered.
  for (const entry of entries) {
    if (Date.parse(entry.start_time as string) < checkpoint)
      expect(delivered.has(eventId(entry))).toBe(true);
  }
  hec.setDown(false);
  const retry = await runOnce({ kind: "forward" }, config, {});
  expect(retry.outcome).toBe("ok");
  expect(new Set(acceptedIds()).size).toBe(2000);
  expect(hec.accepted.length).toBe(2000);
});

test("a dead-lettered event's id is committed: a later run over the same window neither resends nor dead-letters it again", async () => {
  const now = Date.now();
  const config = await setup(400, now - 2 * HOUR, now - 60_000);
  config.window.lookbackSeconds = 3 * 3600;
  const entries = generateAuditEntries(400, {
    startMs: now - 2 * HOUR,
    endMs: now - 60_000,
    seed: 21,
  });
  // Early in the window: outside the next forward's overlap, inside forward-range's window.
  const poison = eventId(entries[20] ?? {});
  hec.poisonWhen((envelope) =>
    (envelope.fields as Record<string, string>).crusoe_event_id === poison
      ? { code: 13 }
      : undefined,
  );
  const quiet = {};
  const first = await runOnce({ kind: "forward" }, config, quiet);
  expect(first.exitCode).toBe(3);
  expect(first.counts.deadLettered).toBe(1);
  const poisonPosts = () => hec.requests.filter((r) => r.code === 13).length;
  expect(poisonPosts()).toBe(1);

  const range = await runOnce({ kind: "range", start: iso(now - 3 * HOUR) }, config, quiet);
  expect(range.outcome).toBe("ok");
  expect(range.counts.deadLettered).toBe(0);
  expect(range.counts.delivered).toBe(0);
  expect(poisonPosts()).toBe(1);
  const letters = readFileSync(config.state.deadLetterFile, "utf8").trim().split("\n");
  expect(letters).toHaveLength(1);
});

test("the in-run guard: an item a server repeats at the top of the next page is sent once", async () => {
  const now = Date.now();
  const config = await setup(450, now - 2 * HOUR, now - 60_000);
  config.window.lookbackSeconds = 3 * 3600;
  // One batch spans several pages, so the repeat is still in the batcher when it comes again.
  config.hec.batchSize = 1000;
  crusoe.fail({ repeatLastItem: true }, 3);
  const report = await runOnce({ kind: "forward" }, config, {});
  expect(report.outcome).toBe("ok");
  expect(report.counts.fetched).toBe(453);
  expect(report.counts.duplicates).toBe(3);
  expect(hec.accepted.length).toBe(450);
  expect(new Set(acceptedIds()).size).toBe(450);
});

test("entries without start_time are counted, sent once, and deduplicated by end_time: a run in a later hour skips them", async () => {
  const now = Date.now();
  const entries = generateAuditEntries(300, {
    startMs: now - 2 * HOUR,
    endMs: now - 60_000,
    seed: 5,
  });
  const timeless = [entries[10], entries[150], entries[290]].filter((e) => e !== undefined);
  for (const entry of timeless) delete entry.start_time;
  crusoe = await startCrusoeEmulator({ entries });
  hec = await startHecEmulator();
  stateDir = mkdtempSync(join(tmpdir(), "csh-run-"));
  const config = configForEmulators(crusoe, hec, stateDir);
  config.crusoe.pageSize = 100;
  config.window.lookbackSeconds = 3 * 3600;

  const first = await runOnce({ kind: "forward" }, config, {});
  expect(first.outcome).toBe("ok");
  expect(first.counts.missingTime).toBe(3);
  expect(hec.accepted.length).toBe(300);
  // The next overlapping run happens two hours later by its own clock: ids must be found by a
  // time that is the same on every run (end_time), not by the time of sending.
  const later = () => Date.now() + 2 * HOUR;
  const recent = await runOnce({ kind: "recent", hours: 3 }, config, { now: later });
  expect(recent.outcome).toBe("ok");
  expect(recent.counts.delivered).toBe(0);
  expect(recent.counts.duplicates).toBe(300);
  expect(hec.accepted.length).toBe(300);
  expect(new Set(acceptedIds())).toEqual(new Set(entries.map(eventId)));
});

test("a setting error mid-range (HEC starts refusing every body without a usable position): nothing dead-lettered or advanced past it; fixed, the range completes once", async () => {
  const end = Date.now() - 2 * 24 * HOUR;
  const start = end - 6 * HOUR;
  const config = await setup(3000, start, end);
  config.window.concurrency = 4;
  const mode = { kind: "range", start: iso(start), end: iso(end) } as const;
  // HEC breaks after the second chunk settled, until the setting is fixed.
  let broken = false;
  hec.poisonWhen(() => (broken ? { code: 6, invalidEventNumber: -1 } : undefined));
  const report = await runOnce(mode, config, {
    progress: (done) => {
      if (done >= 2) broken = true;
    },
  });
  expect(report.outcome).toBe("failed");
  expect(report.exitCode).toBe(1);
  expect(report.failure?.message).toMatch(/setting or a proxy/);
  expect(report.counts.deadLettered).toBe(0);
  expect(existsSync(config.state.deadLetterFile)).toBe(false);
  const delivered = new Set(acceptedIds());
  const entries = generateAuditEntries(3000, { startMs: start, endMs: end, seed: 21 });
  const doneUntil = report.checkpointMs ?? start;
  for (const entry of entries) {
    if (Date.parse(entry.start_time as string) < doneUntil)
      expect(delivered.has(eventId(entry))).toBe(true);
  }
  expect(delivered.size).toBeLessThan(3000);

  broken = false;
  const again = await runOnce(mode, config, {});
  expect(again.outcome).toBe("ok");
  expect(hec.accepted.length).toBe(3000);
  expect(new Set(acceptedIds()).size).toBe(3000);
});
