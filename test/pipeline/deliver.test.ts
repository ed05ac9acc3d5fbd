// Delivery's promise at a chunk boundary: when flush() resolves, every id Splunk accepted is on
// the store, not merely queued behind a slow write (the checkpoint moves right after flush).
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { hecConfigFor } from "../../src/emulators/config.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { emptyCounts } from "../../src/pipeline/counts.ts";
import { Delivery } from "../../src/pipeline/deliver.ts";
import { createHecSink } from "../../src/sinks/hec.ts";
import { type OpenOptions, openStateStore, type StateStore } from "../../src/state/store.ts";

setDefaultTimeout(30_000);
let hec: HecEmulator | undefined;
let store: StateStore | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  await hec?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A HEC emulator, the real fs store in a fresh dir (with its crash seam), and a Delivery over both. */
async function openDelivery(options: OpenOptions & { leaseLost?: () => string | undefined } = {}) {
  hec = await startHecEmulator();
  dir = mkdtempSync(join(tmpdir(), "csh-deliver-"));
  store = await openStateStore(
    { dir, lockTtlMs: 60_000, deadLetterFile: join(dir, "dl.ndjson") },
    "s1",
    { beforeRename: options.beforeRename },
  );
  const now = Date.now();
  const sink = createHecSink(hecConfigFor(hec, { batchSize: 100 }));
  const counts = emptyCounts();
  const delivery = new Delivery({
    sink,
    meta: { host: "h", source: "s", sourcetype: "t" },
    counts,
    deadLetterFile: join(dir, "dl.ndjson"),
    dedup: { store: store.dedup, set: await store.dedup.load(now, 86_400_000) },
    leaseLost: options.leaseLost,
    now: Date.now,
  });
  return { hec, store, now, sink, counts, delivery };
}

test("flush() resolves only once the accepted ids are written, however slow the write", async () => {
  // The store's crash seam holds every dedup document's rename until released.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let renames = 0;
  const { hec, store, now, sink, counts, delivery } = await openDelivery({
    beforeRename: async (_temp, finalPath) => {
      if (!finalPath.includes("/dedup/")) return;
      renames++;
      await held;
    },
  });
  const entries = generateAuditEntries(300, { startMs: now - 600_000, endMs: now, seed: 5 });
  await delivery.addPage(entries);
  let flushed = false;
  const flushing = delivery.flush().then(() => {
    flushed = true;
  });
  while (renames === 0) await Bun.sleep(5);
  await Bun.sleep(200);
  expect(hec.accepted.length).toBe(300);
  expect(flushed).toBe(false);
  release();
  await flushing;
  expect(counts.delivered).toBe(300);
  expect((await store.dedup.stats()).trackedIds).toBe(300);
  await sink.close();
});

test("after a lost lease nothing is written: another run may own the stream's documents now", async () => {
  let lost: string | undefined;
  const { hec, store, now, sink, delivery } = await openDelivery({ leaseLost: () => lost });
  const entries = generateAuditEntries(300, { startMs: now - 600_000, endMs: now, seed: 6 });
  await delivery.addPage(entries.slice(0, 150));
  await delivery.flush();
  expect((await store.dedup.stats()).trackedIds).toBe(150);
  // The batches already on their way are settled, but their ids are not written any more.
  await delivery.addPage(entries.slice(150, 250));
  lost = "the lock lease was taken over by another run";
  await delivery.flush();
  expect(hec.accepted.length).toBe(250);
  expect((await store.dedup.stats()).trackedIds).toBe(150);
  await sink.close();
});

test("a late entry whose hour was dropped at a chunk boundary is found on the store, not sent again", async () => {
  const hour = 3_600_000;
  const { hec, now, sink, counts, delivery } = await openDelivery();
  const entries = generateAuditEntries(20, { startMs: now - 3 * hour, endMs: now - 2.5 * hour });
  delivery.startChunk(now - 3 * hour);
  await delivery.addPage(entries);
  await delivery.flush();
  // The next chunk starts hours later: the first chunk's hours leave memory.
  delivery.startChunk(now - hour);
  await delivery.addPage(entries.slice(3, 4));
  await delivery.flush();
  expect(counts.duplicates).toBe(1);
  expect(hec.accepted.length).toBe(20);
  await sink.close();
});
