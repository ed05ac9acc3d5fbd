// One forwarding run: plan the window, read chunks ahead, deliver, and move the checkpoint
// to a chunk's end only when every event of the chunk is delivered or dead-lettered.
import type { ResolvedConfig } from "../config/types.ts";
import type { CrusoeClient } from "../crusoe/client.ts";
import { AppError, EXIT, UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import type { Sink } from "../sinks/types.ts";
import type { RunStatus } from "../state/status.ts";
import type { StateStore } from "../state/store.ts";
import { emptyCounts, type RunCounts, summarize } from "./counts.ts";
import { Delivery, type Failure } from "./deliver.ts";
import { parseRangeBounds, planChunks, planForward, planRecent, type TimeRange } from "./plan.ts";
import { readAhead } from "./read-ahead.ts";

export type RunMode =
  /** startMs (`forward --start-time`): where a stream without a checkpoint begins. */
  | { kind: "forward"; startMs?: number }
  | { kind: "recent"; hours: number }
  | { kind: "range"; start: string; end?: string };

export interface RunContext {
  config: ResolvedConfig;
  client: CrusoeClient;
  store: StateStore;
  sink: Sink;
  /** Graceful stop (SIGTERM/SIGINT): settle what is in flight, then end. */
  stopRequested: () => boolean;
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
  let report: RunReport;
  try {
    const serverNowMs = await ctx.client.serverNow();
    const plan = await planRun(mode, ctx, serverNowMs);
    report = await deliverChunks(plan, ctx, counts, serverNowMs);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const failure = {
      message: (error as Error).message,
      hint: error instanceof AppError ? error.hint : undefined,
    };
    report = { outcome: "failed", exitCode: EXIT.failed, counts, failure };
  }
  counts.retries += ctx.client.stats.retries;
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
    ? { store: ctx.store.dedup, set: await ctx.store.dedup.load(serverNowMs, retentionMs) }
    : undefined;
  const delivery = new Delivery({
    sink: ctx.sink,
    meta: {
      host: config.hec.host,
      source: config.hec.source,
      sourcetype: config.hec.sourcetype,
      index: config.hec.index,
    },
    counts,
    deadLetterFile: config.state.deadLetterFile,
    dedup,
    now: ctx.now,
  });
  const chunks = readAhead(plan.chunks, (chunk) => ctx.client.pages(chunk), {
    concurrency: config.window.concurrency,
    pagesAhead: 2,
  });
  let done = 0;
  let checkpointMs = plan.checkpointMs;
  let interrupted = false;
  try {
    for await (const { chunk, pages } of chunks) {
      delivery.startChunk(chunk.startMs);
      for await (const page of pages) {
        if (ctx.stopRequested() || ctx.leaseLost()) break;
        await delivery.addPage(page);
        if (delivery.failure) break;
      }
      const stopping = ctx.stopRequested() || ctx.leaseLost() !== undefined;
      if (stopping) await delivery.settleAll();
      else await delivery.flush();
      if (delivery.failure || stopping) {
        interrupted = stopping;
        break;
      }
      await plan.record(chunk.endMs);
      checkpointMs = chunk.endMs;
      ctx.progress?.(++done, plan.chunks.length, counts);
    }
  } catch (error) {
    // A source failure mid-chunk: what was already sent is still committed.
    await delivery.settleAll();
    throw error;
  }
  const lost = ctx.leaseLost();
  const failure = delivery.failure ?? (lost ? { message: lost } : undefined);
  if (failure) return { outcome: "failed", exitCode: EXIT.failed, counts, failure, checkpointMs };
  if (interrupted) return { outcome: "interrupted", exitCode: EXIT.ok, counts, checkpointMs };
  if (counts.deadLettered)
    return { outcome: "dead-lettered", exitCode: EXIT.deadLettered, counts, checkpointMs };
  return { outcome: "ok", exitCode: EXIT.ok, counts, checkpointMs };
}

async function writeStatus(
  mode: RunMode,
  ctx: RunContext,
  report: RunReport,
  startedAt: string,
): Promise<void> {
  const nowMs = ctx.now();
  const status: RunStatus = {
    command:
      mode.kind === "recent"
        ? "forward-recent"
        : mode.kind === "range"
          ? "forward-range"
          : "forward",
    startedAt,
    endedAt: new Date(nowMs).toISOString(),
    outcome: report.outcome,
    fetched: report.counts.fetched,
    delivered: report.counts.delivered,
    duplicates: report.counts.duplicates,
    deadLettered: report.counts.deadLettered,
    retries: report.counts.retries,
    checkpoint: report.checkpointMs ? new Date(report.checkpointMs).toISOString() : undefined,
    lagSeconds: report.checkpointMs ? Math.round((nowMs - report.checkpointMs) / 1000) : undefined,
    lastError: report.failure?.message,
  };
  try {
    await ctx.store.status.write(status);
  } catch (error) {
    logger.warn(`could not store the run status: ${(error as Error).message}`);
  }
  if (report.failure) logger.error(report.failure.message);
  logger.info(`${status.command} ${report.outcome}: ${summarize(report.counts)}`);
}
