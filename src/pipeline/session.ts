// Open what a run needs (Crusoe client, sink, state store) and run once under the stream lock.
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { LockHeldError, UsageError } from "../errors.ts";
import { logContext } from "../log.ts";
import { createHecSink } from "../sinks/hec.ts";
import { createStdoutSink } from "../sinks/stdout.ts";
import type { Sink } from "../sinks/types.ts";
import { DEAD_LETTER_HINT, findDeadLetterProblem } from "../state/dead-letter.ts";
import type { LockHolder } from "../state/lock.ts";
import { openStateStore, type StateStore } from "../state/store.ts";
import { createDryRunSink, readOnlyStore } from "./dry-run.ts";
import { keepLease } from "./lease.ts";
import { type RunContext, type RunMode, type RunReport, runForward } from "./run.ts";
import { streamOf } from "./stream.ts";

export { streamOf } from "./stream.ts";

export function openStore(config: ResolvedConfig): Promise<StateStore> {
  const stream = streamOf(config);
  logContext.stream = stream;
  return openStateStore(config.state, stream);
}

export function createSink(
  config: ResolvedConfig,
  write?: (text: string) => void,
  signal?: AbortSignal,
): Sink {
  const limits = { batchSize: config.hec.batchSize, maxBatchBytes: config.hec.maxBatchBytes };
  if (config.dryRun) return createDryRunSink(limits, write);
  return config.sink === "stdout"
    ? createStdoutSink(limits, write)
    : createHecSink(config.hec, { signal });
}

/** Before any request: a poison event that cannot be set aside would leave its batch unsettled. */
export async function checkDeadLetterFile(config: ResolvedConfig): Promise<void> {
  if (config.sink !== "hec" || config.dryRun) return;
  const problem = await findDeadLetterProblem(config.state.deadLetterFile);
  if (problem) throw new UsageError(problem, DEAD_LETTER_HINT);
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.host} since ${holder.since} (lease until ${holder.expiresAt})`;
}

export interface OnceOptions {
  /** A stop (SIGTERM/SIGINT); see RunContext.signal. */
  signal?: AbortSignal;
  progress?: RunContext["progress"];
  write?: (text: string) => void;
  /** The run's clock (tests: a later run in another hour); the window still follows Crusoe's. */
  now?: () => number;
}

/** A one-shot run (forward, forward-recent, forward-range): lock or exit 75, run, release. */
export async function runOnce(
  mode: RunMode,
  config: ResolvedConfig,
  options: OnceOptions,
): Promise<RunReport> {
  await checkDeadLetterFile(config);
  const opened = await openStore(config);
  const store = config.dryRun ? readOnlyStore(opened) : opened;
  // The sink stops sending on a stop signal, and once the lease is lost.
  const leaseGone = new AbortController();
  const sinkSignal = options.signal
    ? AbortSignal.any([options.signal, leaseGone.signal])
    : leaseGone.signal;
  const sink = createSink(config, options.write, sinkSignal);
  const client = createCrusoeClient(config.crusoe, { signal: options.signal });
  // Crusoe's clock is asked for while the lock is taken: an idle cron run is mostly such waits.
  // A failure surfaces where runForward awaits it (nowhere, when the lock is held).
  const serverNow = client.serverNow();
  serverNow.catch(() => {});
  try {
    // A dry run changes nothing, so it needs no lock.
    const acquired = config.dryRun
      ? undefined
      : await store.locks.tryAcquire(config.state.lockTtlMs);
    if (acquired && "heldBy" in acquired) {
      throw new LockHeldError(
        `another run holds the lock for this stream: ${describeHolder(acquired.heldBy)}`,
      );
    }
    const keeper = acquired ? keepLease(acquired.lease, config.state.lockTtlMs) : undefined;
    keeper?.signal.addEventListener("abort", () => leaseGone.abort(), { once: true });
    try {
      return await runForward(mode, {
        config,
        client,
        serverNow,
        store,
        sink,
        signal: options.signal,
        leaseLost: () => keeper?.lost(),
        progress: options.progress,
        now: options.now ?? Date.now,
      });
    } finally {
      keeper?.stop();
      if (acquired && "lease" in acquired) await acquired.lease.release();
    }
  } finally {
    await sink.close();
    await opened.close();
  }
}
