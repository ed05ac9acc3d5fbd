// A Crusoe emulator with a data set, a HEC emulator and a state dir: what the binary talks to.
import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditLogEntry } from "../../src/crusoe/entry.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { emulatorEnv } from "../../src/emulators/config.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import {
  type HecEmulator,
  type HecEmulatorOptions,
  startHecEmulator,
} from "../../src/emulators/hec.ts";
import { eventId } from "../../src/state/event-id.ts";

export interface World {
  crusoe: CrusoeEmulator;
  hec: HecEmulator;
  entries: AuditLogEntry[];
  stateDir: string;
  env: Record<string, string>;
  /** crusoe_event_id of every envelope HEC indexed, in order (repeats included). */
  acceptedIds(): string[];
  close(): Promise<void>;
}

/** Worlds started and not yet closed, for closeWorlds(). */
const open = new Set<World>();

export async function startWorld(
  options: { events?: number; seed?: number; hec?: HecEmulatorOptions } = {},
): Promise<World> {
  const now = Date.now();
  const entries = generateAuditEntries(options.events ?? 2500, {
    startMs: now - 2 * 3600_000,
    endMs: now - 60_000,
    seed: options.seed ?? 3,
  });
  const crusoe = await startCrusoeEmulator({ entries, defaultPageSize: 100 });
  const hec = await startHecEmulator(options.hec);
  const stateDir = mkdtempSync(join(tmpdir(), "csh-e2e-state-"));
  const env = {
    ...emulatorEnv(crusoe, hec, stateDir),
    LOOKBACK_SECONDS: "10800",
    CRUSOE_PAGE_SIZE: "200",
    MAX_RETRIES: "1",
    REQUEST_TIMEOUT: "5",
  };
  const world: World = {
    crusoe,
    hec,
    entries,
    stateDir,
    env,
    acceptedIds: () =>
      hec.accepted.map(
        (envelope) => (envelope.fields as Record<string, string>).crusoe_event_id as string,
      ),
    async close() {
      open.delete(world);
      await Promise.all([crusoe.close(), hec.close()]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  open.add(world);
  return world;
}

/** Closes every world a test started: its emulators stop and its state dir is deleted. */
export async function closeWorlds(): Promise<void> {
  await Promise.all([...open].map((world) => world.close()));
}

/** Runs closeWorlds() after each test of the file, even when an assertion failed. */
export function closeWorldsAfterEach(): void {
  afterEach(closeWorlds);
}

export function idsOf(entries: AuditLogEntry[]): string[] {
  return entries.map((entry) => eventId(entry));
}

/** How many ids appear more than once. */
export function repeats(ids: string[]): number {
  return ids.length - new Set(ids).size;
}

export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await Bun.sleep(20);
  }
}
