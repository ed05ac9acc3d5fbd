// `daemon --config`: every stream of the file, one after the other each interval, each under its
// own lease. A stream another instance holds is polled like a standby; with a fleet (Redis), a
// share gate keeps each instance to about its fair share of the streams.
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { EXIT, EXIT_STDOUT_CLOSED } from "../errors.ts";
import { logContext, logger } from "../log.ts";
import type { DaemonMetrics } from "../metrics/registry.ts";
import type { StateStore } from "../state/store.ts";
import { sleep } from "../wait.ts";
import { acquire, type Held } from "./daemon.ts";
import { runForward } from "./run.ts";
import { checkDeadLetterFile, openStore } from "./session.ts";

export interface NamedStream {
  name: string;
  config: ResolvedConfig;
}

/** How many streams this instance should hold (fleet.ts); without it, every stream. */
export interface ShareGate {
  /** May this instance take one more stream, holding `held` now? */
  mayAcquire(held: number): boolean;
  /** Should it hand one back at this cycle boundary? */
  shouldRelease(held: number): boolean;
}

export interface StreamsDaemonOptions {
  intervalSeconds: number;
  signal: AbortSignal;
  metrics?: DaemonMetrics;
  gate?: ShareGate;
}

const MAX_BACKOFF_MS = 5 * 60_000;

interface Slot {
  stream: NamedStream;
  store: StateStore;
  client: ReturnType<typeof createCrusoeClient>;
  held?: Held;
  failures: number;
  /** When its next cycle is due (while held). */
  dueMs: number;
  announced: boolean;
}

export async function runStreamsDaemon(
  streams: NamedStream[],
  options: StreamsDaemonOptions,
): Promise<number> {
  const { signal, metrics } = options;
  const slots: Slot[] = [];
  try {
    for (const stream of streams) {
      await checkDeadLetterFile(stream.config);
      slots.push({
        stream,
        store: await openStore(stream.config),
        client: createCrusoeClient(stream.config.crusoe, { signal }),
        failures: 0,
        dueMs: 0,
        announced: false,
      });
    }
    const pollMs = Math.max(250, Math.floor(minTtl(streams) / 3));
    const heldCount = () => slots.filter((slot) => slot.held).length;
    while (!signal.aborted) {
      for (const slot of slots) {
        if (signal.aborted) break;
        const { name, config } = slot.stream;
        logContext.stream = name;
        if (!slot.held) {
          if (options.gate && !options.gate.mayAcquire(heldCount())) continue;
          slot.held = await acquire(config, slot.store, signal, !slot.announced);
          slot.announced = true;
          if (!slot.held) continue;
          logger.info(`stream "${name}": lease taken, this instance forwards it`);
          metrics?.setLease(name, true, Date.now());
          slot.dueMs = 0;
        }
        if (Date.now() < slot.dueMs) continue;
        const code = await cycle(slot, options);
        if (code !== undefined) return code;
        if (slot.held && options.gate?.shouldRelease(heldCount())) {
          logger.info(`stream "${name}": handed back (another instance takes its share)`);
          await release(slot, metrics);
        }
      }
      logContext.stream = undefined;
      // Until the next held stream is due, or the next look at the streams others hold.
      const due = slots.filter((slot) => slot.held).map((slot) => slot.dueMs);
      const wait = Math.min(Date.now() + pollMs, ...due) - Date.now();
      if (wait > 0) await sleep(wait, signal);
    }
    return EXIT.ok;
  } finally {
    logContext.stream = undefined;
    for (const slot of slots) {
      await release(slot, metrics);
      await slot.store.close();
    }
  }
}

/** One cycle of a held stream; a code ends the daemon (nobody reads stdout any more). */
async function cycle(slot: Slot, options: StreamsDaemonOptions): Promise<number | undefined> {
  const held = slot.held as Held;
  const { name, config } = slot.stream;
  const started = Date.now();
  const report = await runForward(
    { kind: "forward" },
    {
      config,
      client: slot.client,
      store: slot.store,
      sink: held.sink,
      now: Date.now,
      signal: options.signal,
      leaseLost: () => held.keeper.lost(),
    },
  );
  if (report.exitCode === EXIT_STDOUT_CLOSED) return report.exitCode;
  options.metrics?.recordCycle(name, report, Date.now());
  if (held.keeper.lost()) {
    held.keeper.stop();
    await held.sink.close();
    slot.held = undefined;
    options.metrics?.setLease(name, false, Date.now());
    return;
  }
  slot.failures = report.outcome === "failed" ? slot.failures + 1 : 0;
  const intervalMs = options.intervalSeconds * 1000;
  // No drift: the next cycle is planned from this one's start; after a failure, back off.
  slot.dueMs = slot.failures
    ? Date.now() + Math.min(MAX_BACKOFF_MS, 5000 * 2 ** (slot.failures - 1), intervalMs)
    : started + intervalMs;
  if (slot.failures)
    logger.warn(
      `stream "${name}": cycle failed (${slot.failures} in a row): retrying in ${Math.round((slot.dueMs - Date.now()) / 1000)} s`,
    );
}

async function release(slot: Slot, metrics: DaemonMetrics | undefined): Promise<void> {
  const held = slot.held;
  if (!held) return;
  slot.held = undefined;
  slot.announced = false;
  held.keeper.stop();
  await held.sink.close();
  await held.lease.release();
  metrics?.setLease(slot.stream.name, false, Date.now());
}

function minTtl(streams: NamedStream[]): number {
  return Math.min(...streams.map((s) => s.config.state.lockTtlMs));
}
