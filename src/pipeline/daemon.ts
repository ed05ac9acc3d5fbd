// `daemon`: run `forward` on a fixed schedule while holding the stream's lease; stand by while
// another instance holds it and take over when its lease lapses (active/passive across hosts).
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { EXIT, EXIT_STDOUT_CLOSED } from "../errors.ts";
import { logger } from "../log.ts";
import type { Sink } from "../sinks/types.ts";
import type { Lease } from "../state/lock.ts";
import type { StateStore } from "../state/store.ts";
import { sleep } from "../wait.ts";
import { keepLease, type LeaseKeeper } from "./lease.ts";
import { runForward } from "./run.ts";
import { checkDeadLetterFile, createSink, describeHolder, openStore } from "./session.ts";

export interface DaemonOptions {
  intervalSeconds: number;
  /** A stop (SIGTERM/SIGINT): ends the sleep between runs and cuts the run short (RunContext). */
  signal: AbortSignal;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export async function runDaemon(config: ResolvedConfig, options: DaemonOptions): Promise<number> {
  const ttl = config.state.lockTtlMs;
  await checkDeadLetterFile(config);
  const store = await openStore(config);
  const { signal } = options;
  const client = createCrusoeClient(config.crusoe, { signal });
  let held: Held | undefined;
  let failures = 0;
  let standbyLogged = false;
  try {
    while (!signal.aborted) {
      held = held ?? (await acquire(config, store, signal, !standbyLogged));
      if (!held) {
        standbyLogged = true;
        await sleep(Math.max(250, Math.floor(ttl / 3)), signal);
        continue;
      }
      if (standbyLogged) logger.info("lock acquired: this instance is now active");
      standbyLogged = false;
      const started = Date.now();
      const { keeper, sink } = held;
      const report = await runForward(
        { kind: "forward" },
        {
          config,
          client,
          store,
          sink,
          now: Date.now,
          signal,
          leaseLost: () => keeper.lost(),
        },
      );
      // Nobody reads stdout any more: every later cycle would fail the same way.
      if (report.exitCode === EXIT_STDOUT_CLOSED) return report.exitCode;
      if (keeper.lost()) {
        keeper.stop();
        await sink.close();
        held = undefined;
        continue;
      }
      failures = report.outcome === "failed" ? failures + 1 : 0;
      // No drift: the next run is planned from this run's start; after a failure, back off.
      const wait = failures
        ? Math.min(MAX_BACKOFF_MS, 5000 * 2 ** (failures - 1), options.intervalSeconds * 1000)
        : started + options.intervalSeconds * 1000 - Date.now();
      if (failures)
        logger.warn(`run failed (${failures} in a row): retrying in ${Math.round(wait / 1000)} s`);
      if (wait > 0) await sleep(wait, signal);
    }
    return EXIT.ok;
  } finally {
    if (held) {
      held.keeper.stop();
      await held.sink.close();
      await held.lease.release();
    }
    await store.close();
  }
}

/** While active: the lease, its keeper, and a sink that stops sending once the lease is lost. */
export interface Held {
  lease: Lease;
  keeper: LeaseKeeper;
  sink: Sink;
}

export async function acquire(
  config: ResolvedConfig,
  store: StateStore,
  stop: AbortSignal,
  announce: boolean,
): Promise<Held | undefined> {
  const ttl = config.state.lockTtlMs;
  let result: Awaited<ReturnType<StateStore["locks"]["tryAcquire"]>>;
  try {
    result = await store.locks.tryAcquire(ttl);
  } catch (error) {
    // The state store is unreachable (Redis restarting): keep trying, like a standby.
    logger.warn(`cannot take the lock: ${(error as Error).message}`);
    return undefined;
  }
  if ("heldBy" in result) {
    if (announce) logger.info(`standby: the lock is held by ${describeHolder(result.heldBy)}`);
    return undefined;
  }
  const keeper = keepLease(result.lease, ttl);
  const sink = createSink(config, undefined, AbortSignal.any([stop, keeper.signal]));
  return { lease: result.lease, keeper, sink };
}
