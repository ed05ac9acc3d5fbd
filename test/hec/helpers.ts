// Shared bits for the HEC tests: a config pointing at an emulator, and events as the pipeline
// builds them.
import type { HecConfig } from "../../src/config/types.ts";
import { hecConfigFor } from "../../src/emulators/config.ts";
import {
  type HecEmulator,
  type HecEmulatorOptions,
  startHecEmulator,
} from "../../src/emulators/hec.ts";
import { buildEnvelopeLine, type EnvelopeMeta } from "../../src/hec/envelope.ts";
import { createHecSink, type HecSinkOptions } from "../../src/sinks/hec.ts";
import type { SinkEvent } from "../../src/sinks/types.ts";
import { closeAfterEach } from "../helpers/cleanup.ts";

export const META: EnvelopeMeta = {
  host: "edge-1",
  source: "crusoe_api",
  sourcetype: "crusoe:audit",
};

export function hecConfig(emu: HecEmulator, overrides: Partial<HecConfig> = {}): HecConfig {
  const fast = { ackPollSeconds: 0.02, ackTimeoutSeconds: 5, timeoutMs: 2000, ...META };
  return hecConfigFor(emu, { ...fast, ...overrides });
}

/** Fast retries so a test never sleeps long. */
export const FAST: HecSinkOptions = { retryBaseMs: 5, retryMaxMs: 20 };

export function sinkFor(emu: HecEmulator, overrides: Partial<HecConfig> = {}, options = FAST) {
  return createHecSink(hecConfig(emu, overrides), options);
}

/**
 * The per-test emulator and sinks of a HEC test file: what `startEmulator` and `sinkFor` make
 * (and what is passed to `track`) is closed after each test, sinks before the emulator.
 */
export function useHecFixture() {
  const track = closeAfterEach();
  return {
    startEmulator: async (options: HecEmulatorOptions = {}) =>
      track(await startHecEmulator(options)),
    sinkFor: (...args: Parameters<typeof sinkFor>) => track(sinkFor(...args)),
    track,
  };
}

let seq = 0;
/** Audit-like events; `pad` adds bytes to each. */
export function makeEvents(n: number, pad = 0, meta: EnvelopeMeta = META): SinkEvent[] {
  return Array.from({ length: n }, () => {
    const i = seq++;
    const id = `ev-${i.toString().padStart(6, "0")}`;
    const timeMs = 1725380856954 + i;
    const event = {
      action: "Create",
      actor: { email: "ops@example.com" },
      n: i,
      pad: "x".repeat(pad),
    };
    return { id, timeMs, line: buildEnvelopeLine(event, id, timeMs, meta) };
  });
}

/** The crusoe_event_id of every envelope the emulator indexed, in order. */
export function acceptedIds(emu: HecEmulator): string[] {
  return emu.accepted.map((e) => (e.fields as { crusoe_event_id: string }).crusoe_event_id);
}

export const ids = (events: SinkEvent[]) => events.map((e) => e.id);
