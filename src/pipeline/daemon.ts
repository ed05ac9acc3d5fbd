// `daemon`: run `forward` on a fixed schedule while holding the stream's lease; stand by while
// another instance holds it and take over when its lease lapses (active/passive across hosts).
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import type { Lease } from "../state/lock.ts";
import type { StateStore } from "../state/store.ts";
import { keepLease, type LeaseKeeper } from "./lease.ts";
import { runForward } from "./run.ts";
import { checkDeadLetterFile, createSink, describeHolder, openStore } from "./session.ts";

export interface DaemonOptions {
  intervalSeconds: number;
  stopRequested: () => boolean;
  /** Resolves early when a stop is requested. */
  sleep: (ms: number) => Promise<void>;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export async function runDaemon(config: ResolvedConfig, options: DaemonOptions): Promise<number> {
  const ttl = config.state.lockTtlMs;
  await checkDeadLetterFile(config);
  const store = await openStore(config);
  const sink = createSink(config);
  const client = createCrusoeClient(config.crusoe);
  let held: { lease: Lease; keeper: LeaseKeeper } | undefined;
  let failures = 0;
  let standbyLogged = false;
  try {
    while (!options.stopRequested()) {
      held = held ?? (await acquire(store, ttl, !standbyLogged));
      if (!held) {
        standbyLogged = true;
        await options.sleep(Math.max(250, Math.floor(ttl / 3)));
        continue;
      }
      if (standbyLogged) logger.info("lock acquired: this instance is now active");
      standbyLogged = false;
      const started = Date.now();
      const keeper = held.keeper;
      const report = await runForward(
        { kind: "forward" },
        {
          config,
          client,
          store,
          sink,
          now: Date.now,
          stopRequested: options.stopRequested,
          leaseLost: () => keeper.lost(),
        },
      );
      if (keeper.lost()) {
        keeper.stop();
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
      if (wait > 0) await options.sleep(wait);
    }
    return EXIT.ok;
  } finally {
    if (held) {
      held.keeper.stop();
      await held.lease.release();
    }
    await sink.close();
    await store.close();
  }
}

async function acquire(store: StateStore, ttl: number, announce: boolean) {
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
  return { lease: result.lease, keeper: keepLease(result.lease, ttl) };
}
