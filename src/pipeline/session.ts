// Open what a run needs (Crusoe client, sink, state store) and run once under the stream lock.
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { LockHeldError, UsageError } from "../errors.ts";
import { hecEndpoints } from "../hec/url.ts";
import { createHecSink } from "../sinks/hec.ts";
import { createStdoutSink } from "../sinks/stdout.ts";
import type { Sink } from "../sinks/types.ts";
import { DEAD_LETTER_HINT, findDeadLetterProblem } from "../state/dead-letter.ts";
import type { LockHolder } from "../state/lock.ts";
import { openStateStore, type StateStore } from "../state/store.ts";
import { streamId } from "../state/stream-id.ts";
import { createDryRunSink, readOnlyStore } from "./dry-run.ts";
import { keepLease } from "./lease.ts";
import { type RunContext, type RunMode, type RunReport, runForward } from "./run.ts";

/** The stream: one org, one filter set, one destination. State is kept per stream. */
export function streamOf(config: ResolvedConfig): string {
  const sink =
    config.sink === "hec" && config.hec.url
      ? `hec ${hecEndpoints(config.hec.url).event} ${config.hec.index ?? ""}`
      : config.sink;
  return streamId({ orgId: config.crusoe.orgId, filters: config.crusoe.filters, sink });
}

export function openStore(config: ResolvedConfig): Promise<StateStore> {
  return openStateStore(config.state, streamOf(config));
}

export function createSink(config: ResolvedConfig, write?: (text: string) => void): Sink {
  const limits = { batchSize: config.hec.batchSize, maxBatchBytes: config.hec.maxBatchBytes };
  if (config.dryRun)
    return createDryRunSink(limits, write ?? ((text) => process.stdout.write(text)));
  return config.sink === "stdout" ? createStdoutSink(limits, write) : createHecSink(config.hec);
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
  stopRequested: () => boolean;
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
  const sink = createSink(config, options.write);
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
    try {
      return await runForward(mode, {
        config,
        client: createCrusoeClient(config.crusoe),
        store,
        sink,
        stopRequested: options.stopRequested,
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
