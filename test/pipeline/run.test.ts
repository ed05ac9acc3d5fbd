// The pipeline in-process against the emulators: range resume, modes deduplicating each other,
// concurrent chunk reads committing in order.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedConfig } from "../../src/config/types.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { configForEmulators } from "../../src/emulators/config.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { runOnce } from "../../src/pipeline/session.ts";
import { eventId } from "../../src/state/event-id.ts";

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

  let pagesSeen = 0;
  const first = await runOnce(mode, config, {
    stopRequested: () => hec.accepted.length > 0 && ++pagesSeen > 4,
  });
  expect(first.outcome).toBe("interrupted");
  const partial = hec.accepted.length;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(3000);

  const second = await runOnce(mode, config, { stopRequested: () => false });
  expect(second.outcome).toBe("ok");
  // The events are 10 days old, past the 24 h dedup retention: the run keeps their ids anyway
  // until the next run, so even the chunk that was in progress is not sent again.
  expect(new Set(acceptedIds()).size).toBe(3000);
  expect(hec.accepted.length).toBe(3000);
  expect(second.counts.duplicates).toBe(partial);

  const before = hec.accepted.length;
  const third = await runOnce(mode, config, { stopRequested: () => false });
  expect(third.outcome).toBe("ok");
  expect(hec.accepted.length).toBe(before);
});

test("forward, forward-recent and forward-range never repeat each other inside the dedup retention", async () => {
  const now = Date.now();
  const config = await setup(1200, now - 3 * HOUR, now - 60_000);
  config.window.lookbackSeconds = 4 * 3600;
  const quiet = { stopRequested: () => false };
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
    stopRequested: () => {
      if (original.length >= limit) hec.setDown(true);
      return false;
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
  const retry = await runOnce({ kind: "forward" }, config, { stopRequested: () => false });
  expect(retry.outcome).toBe("ok");
  expect(new Set(acceptedIds()).size).toBe(2000);
  expect(hec.accepted.length).toBe(2000);
});
