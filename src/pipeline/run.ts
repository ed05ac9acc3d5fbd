// One forwarding run: plan the window, read chunks ahead, deliver, and move the checkpoint
// to a chunk's end only when every event of the chunk is delivered or dead-lettered.
import type { ResolvedConfig } from "../config/types.ts";
import type { CrusoeClient } from "../crusoe/client.ts";
import { AppError, EXIT, EXIT_STDOUT_CLOSED, StoppedError, UsageError } from "../errors.ts";
import { fields, logger } from "../log.ts";
import type { Sink } from "../sinks/types.ts";
import type { RunStatus } from "../state/status.ts";
import type { StateStore } from "../state/store.ts";
import { formatIso } from "../time.ts";
import { emptyCounts, type RunCounts } from "./counts.ts";
import { Delivery, type Failure } from "./deliver.ts";
import { parseRangeBounds, planChunks, planForward, planRecent, type TimeRange } from "./plan.ts";
import { readAhead } from "./read-ahead.ts";
import { writeStatus } from "./run-end.ts";

export type RunMode =
  /** startMs (`forward --start-time`): where a stream without a checkpoint begins. */
  | { kind: "forward"; startMs?: number }
  | { kind: "recent"; hours: number }
  | { kind: "range"; start: string; end?: string };

export interface RunContext {
  config: ResolvedConfig;
  client: CrusoeClient;
  /** Crusoe's clock, asked for already (runOnce: while taking the lock); a failure is thrown. */
  serverNow?: Promise<number>;
  store: StateStore;
  sink: Sink;
  /**
   * A stop (SIGTERM/SIGINT): Crusoe requests and every wait end at once, HEC requests in flight
   * get a short grace; what Splunk accepted is committed, the rest is left for the next run.
   */
  signal?: AbortSignal;
  /** Set when the lock lease was lost: stop before the next commit. */
  leaseLost: () => string | undefined;
  progress?: (done: number, total: number, counts: RunCounts) => void;
  now: () => number;
}

export type Outcome = RunStatus["outcome"];

export interface RunReport {
  outcome: Outcome;
  exitCode: number;
  counts: RunCounts;
  failure?: Failure;
  checkpointMs?: number;
  /** Interrupted: the part of the window that was not (fully) delivered. */
  unfinished?: { fromMs: number; toMs: number };
}

interface Plan {
  chunks: TimeRange[];
  /** Where progress is recorded as chunks settle. */
  record: (chunkEndMs: number) => Promise<void>;
  checkpointMs?: number;
}

export async function runForward(mode: RunMode, ctx: RunContext): Promise<RunReport> {
  const counts = emptyCounts();
  const startedAt = new Date(ctx.now()).toISOString();
  // The client lives as long as the daemon: count only this run's retries.
  const retriesBefore = ctx.client.stats.retries;
  let report: RunReport;
  try {
    // Asked for before the lock (which can take seconds): now it only adds the learnt skew.
    await ctx.serverNow;
    const serverNowMs = await ctx.client.serverNow();
    const plan = await planRun(mode, ctx, serverNowMs);
    report = await deliverChunks(plan, ctx, counts, serverNowMs);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (ctx.signal?.aborted) {
      report = { outcome: "interrupted", exitCode: EXIT.ok, counts };
    } else {
      const failure = {
        message: (error as Error).message,
        hint: error instanceof AppError ? error.hint : undefined,
      };
      report = { outcome: "failed", exitCode: EXIT.failed, counts, failure };
    }
  }
  counts.retries += ctx.client.stats.retries - retriesBefore;
  await writeStatus(mode, ctx, report, startedAt);
  return report;
}

async function planRun(mode: RunMode, ctx: RunContext, serverNowMs: number): Promise<Plan> {
  const { window } = ctx.config;
  const { checkpoints } = ctx.store;
  if (mode.kind === "forward") {
    const checkpointMs = await checkpoints.get();
    if (mode.startMs !== undefined && checkpointMs !== undefined) {
      const at = new Date(checkpointMs).toISOString();
      logger.info(`--start-time not used: the stream continues from its checkpoint ${at}`);
    }
    const plan = planForward({ checkpointMs, serverNowMs, ...window, firstStartMs: mode.startMs });
    if (plan.warning) logger.warn(plan.warning);
    let latest = checkpointMs ?? 0;
    const record = async (endMs: number) => {
      // A long overlap can end the first chunk before the old checkpoint: never move back.
      latest = Math.max(latest, endMs);
      await checkpoints.set(latest);
    };
    return {
      chunks: plan.range ? planChunks(plan.range, window.chunkSeconds) : [],
      record,
      checkpointMs,
    };
  }
  if (mode.kind === "recent") {
    const range = planRecent(serverNowMs, mode.hours, window.lagSeconds);
    return { chunks: planChunks(range, window.chunkSeconds), record: async () => {} };
  }
  const bounds = parseRangeBounds(mode.start, mode.end, serverNowMs, window.lagSeconds);
  if (typeof bounds === "string") throw new UsageError(bounds);
  // Without --end-time the end moves with the clock: progress is kept per start time.
  const key = `${bounds.startMs}-${mode.end === undefined ? "now" : bounds.endMs}`;
  const progress = await checkpoints.getRange(key);
  if (progress?.finished) {
    logger.info(`range ${mode.start} .. ${mode.end ?? "now"} was already forwarded: nothing to do`);
    return { chunks: [], record: async () => {} };
  }
  const startMs = Math.max(bounds.startMs, progress?.doneUntilMs ?? bounds.startMs);
  if (progress) logger.info(`resuming range from ${new Date(startMs).toISOString()}`);
  const record = (endMs: number) =>
    checkpoints.setRange(key, {
      doneUntilMs: endMs,
      finished: mode.end !== undefined && endMs >= bounds.endMs,
    });
  return {
    chunks:
      startMs < bounds.endMs
        ? planChunks({ startMs, endMs: bounds.endMs }, window.chunkSeconds)
        : [],
    record,
  };
}

async function deliverChunks(
  plan: Plan,
  ctx: RunContext,
  counts: RunCounts,
  serverNowMs: number,
): Promise<RunReport> {
  const { config } = ctx;
  // Ids of everything this run reads are kept at least until the next run (an old range
  // resumes without repeats); that run prunes back to the retention.
  const oldestMs = plan.chunks[0]?.startMs ?? serverNowMs;
  const retentionMs = Math.max(
    config.window.dedupRetentionSeconds * 1000,
    serverNowMs - oldestMs + 3_600_000,
  );
  const dedup = config.window.dedupEnabled
    ? {
        store: ctx.store.dedup,
        set: await ctx.store.dedup.load(serverNowMs, retentionMs, oldestMs),
      }
    : undefined;
  const delivery = new Delivery({
    sink: ctx.sink,
    // HecConfig carries the envelope's host, source, sourcetype and index.
    meta: config.hec,
    counts,
    deadLetterFile: config.state.deadLetterFile,
    dedup,
    leaseLost: ctx.leaseLost,
    now: ctx.now,
  });
  const chunks = readAhead(plan.chunks, (chunk) => ctx.client.pages(chunk), {
    concurrency: config.window.concurrency,
    pagesAhead: 2,
    sharedAhead: 2,
  });
  let done = 0;
  let checkpointMs = plan.checkpointMs;
  const stopRequested = () => ctx.signal?.aborted === true;
  logger.debug(
    "window",
    fields({
      start: formatIso(plan.chunks[0]?.startMs),
      end: formatIso(plan.chunks.at(-1)?.endMs),
      chunks: plan.chunks.length,
      checkpoint: formatIso(plan.checkpointMs),
    }),
  );
  try {
    for await (const { chunk, pages } of chunks) {
      logger.debug(
        "chunk",
        fields({ start: formatIso(chunk.startMs), end: formatIso(chunk.endMs) }),
      );
      delivery.startChunk(chunk.startMs);
      for await (const page of pages) {
        if (stopRequested() || ctx.leaseLost()) break;
        await delivery.addPage(page);
        if (delivery.failure) break;
      }
      const stopping = stopRequested() || ctx.leaseLost() !== undefined;
      if (stopping) await delivery.settleAll();
      else await delivery.flush();
      if (delivery.failure || stopping) break;
      await plan.record(chunk.endMs);
      logger.debug(
        "chunk committed",
        fields({
          end: formatIso(chunk.endMs),
          checkpointBefore: formatIso(checkpointMs),
          checkpointAfter: formatIso(chunk.endMs),
        }),
      );
      checkpointMs = chunk.endMs;
      ctx.progress?.(++done, plan.chunks.length, counts);
    }
  } catch (error) {
    // A source failure mid-chunk: what was already sent is still committed.
    await delivery.settleAll();
    if (!(error instanceof StoppedError && stopRequested())) throw error;
  }
  const lost = ctx.leaseLost();
  const lastEndMs = plan.chunks[plan.chunks.length - 1]?.endMs;
  // A stop turns what it cut short (an aborted request, an unconfirmed batch) into "interrupted".
  if (stopRequested() && !lost && done < plan.chunks.length && lastEndMs !== undefined) {
    const fromMs = plan.chunks[done]?.startMs ?? lastEndMs;
    const unfinished = { fromMs, toMs: lastEndMs };
    return { outcome: "interrupted", exitCode: EXIT.ok, counts, checkpointMs, unfinished };
  }
  if (delivery.failure?.closed && !lost) {
    logger.warn(delivery.failure.message);
    if (delivery.failure.hint) logger.info(`hint: ${delivery.failure.hint}`);
    return { outcome: "interrupted", exitCode: EXIT_STDOUT_CLOSED, counts, checkpointMs };
  }
  // A lost lease explains whatever the sink stopped short of.
  const failure = lost ? { message: lost } : delivery.failure;
  if (failure) return { outcome: "failed", exitCode: EXIT.failed, counts, failure, checkpointMs };
  if (counts.deadLettered)
    return { outcome: "dead-lettered", exitCode: EXIT.deadLettered, counts, checkpointMs };
  return { outcome: "ok", exitCode: EXIT.ok, counts, checkpointMs };
}
