// The end of a forwarding run: the stored run status, the error and hint, what a stop left
// undelivered, and the summary line.
import { fields, logger } from "../log.ts";
import type { RunStatus } from "../state/status.ts";
import { formatIso } from "../time.ts";
import { summarize } from "./counts.ts";
import type { RunContext, RunMode, RunReport } from "./run.ts";
import { describeStream } from "./stream.ts";

export async function writeStatus(
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
    checkpoint: formatIso(report.checkpointMs),
    lagSeconds:
      report.checkpointMs !== undefined
        ? Math.round((nowMs - report.checkpointMs) / 1000)
        : undefined,
    lastError: report.failure?.message,
    stream: describeStream(ctx.config),
  };
  try {
    await ctx.store.status.write(status);
  } catch (error) {
    logger.warn(`could not store the run status: ${(error as Error).message}`);
  }
  const stopped = ctx.signal?.aborted === true && report.outcome === "interrupted";
  const durationMs = nowMs - Date.parse(startedAt);
  logRunEnd(status.command, report, durationMs, ctx.config.dryRun, stopped);
}

/** What every run logs last: its error and hint, what a stop left, then the summary line. */
export function logRunEnd(
  command: string,
  report: RunReport,
  durationMs: number,
  dryRun: boolean,
  stopped = false,
): void {
  if (report.failure) logger.error(report.failure.message);
  if (report.failure?.hint) logger.info(`hint: ${report.failure.hint}`);
  if (stopped) logUnfinished(report);
  logSummary(command, report, durationMs, dryRun);
}

/** Stopped before finishing: not a success, and the operator must know what is left. */
function logUnfinished(report: RunReport): void {
  const left = report.unfinished
    ? `${formatIso(report.unfinished.fromMs)} .. ${formatIso(report.unfinished.toMs)} not (fully) delivered`
    : "the window was not (fully) read";
  logger.warn(
    `stopped before finishing: ${left}; rerunning the same command resumes (what Splunk accepted is not sent again)`,
  );
}

/** The last line of every run; level error when it failed, so it can be alerted on. */
function logSummary(command: string, report: RunReport, durationMs: number, dryRun: boolean) {
  const summary = summarize(report.counts, durationMs, dryRun);
  const outcome = dryRun ? `dry run ${report.outcome}` : report.outcome;
  const line = `${command} ${outcome}: ${summary.text}`;
  const checkpoint = formatIso(report.checkpointMs);
  const values = { command, outcome: report.outcome, ...summary.values, checkpoint };
  const level = report.outcome === "failed" ? "error" : report.outcome === "ok" ? "info" : "warn";
  logger[level](line, fields(values, { inText: false }));
}
