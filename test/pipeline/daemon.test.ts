// The daemon in-process against the emulators: what each cycle reports, and a stop that ends
// the sleep between cycles at once.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { configForEmulators } from "../../src/emulators/config.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { runDaemon } from "../../src/pipeline/daemon.ts";
import { openStore } from "../../src/pipeline/session.ts";
import type { RunStatus } from "../../src/state/status.ts";

// The preload's default does not reach every file (see crash-and-lock.test.ts).
setDefaultTimeout(30_000);

let crusoe: CrusoeEmulator | undefined;
let hec: HecEmulator | undefined;
let stateDir: string | undefined;
let stop: AbortController | undefined;
let daemon: Promise<number> | undefined;
afterEach(async () => {
  stop?.abort();
  await daemon;
  await Promise.all([crusoe?.close(), hec?.close()]);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test("each cycle's status reports that cycle's retries, not the daemon's running total", async () => {
  const now = Date.now();
  const entries = generateAuditEntries(50, { startMs: now - 3_600_000, endMs: now - 60_000 });
  crusoe = await startCrusoeEmulator({ entries });
  hec = await startHecEmulator();
  stateDir = mkdtempSync(join(tmpdir(), "csh-daemon-"));
  const config = configForEmulators(crusoe, hec, stateDir);
  crusoe.fail({ status: 503 }, 1); // the first cycle's first request is retried once
  stop = new AbortController();
  daemon = runDaemon(config, { intervalSeconds: 1, signal: stop.signal });

  const store = await openStore(config);
  const seen: RunStatus[] = [];
  try {
    while (seen.length < 2) {
      const status = await store.status.read();
      if (status && status.startedAt !== seen.at(-1)?.startedAt) seen.push(status);
      await Bun.sleep(20);
    }
  } finally {
    await store.close();
  }
  stop.abort();
  expect(await daemon).toBe(0);
  expect(seen.map((s) => [s.outcome, s.retries])).toEqual([
    ["ok", 1],
    ["ok", 0],
  ]);
});

test("a stop ends the sleep between cycles at once (interval 1 h)", async () => {
  const now = Date.now();
  crusoe = await startCrusoeEmulator({
    entries: generateAuditEntries(20, { startMs: now - 600_000, endMs: now - 60_000 }),
  });
  hec = await startHecEmulator();
  stateDir = mkdtempSync(join(tmpdir(), "csh-daemon-"));
  const config = configForEmulators(crusoe, hec, stateDir);
  stop = new AbortController();
  daemon = runDaemon(config, { intervalSeconds: 3600, signal: stop.signal });
  while (hec.accepted.length < 20) await Bun.sleep(20);
  await Bun.sleep(200); // the cycle has ended: sleeping now
  stop.abort();
  expect(await daemon).toBe(0); // without the stop this resolves in an hour (a test timeout)
});
