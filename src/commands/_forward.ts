// What forward, forward-recent and forward-range share: config, signals, progress, exit code.
import type { ParsedArgs } from "citty";
import { logger } from "../log.ts";
import type { RunCounts } from "../pipeline/counts.ts";
import type { RunMode } from "../pipeline/run.ts";
import { runOnce } from "../pipeline/session.ts";
import type { forwardArgs } from "./_args.ts";
import { listenForStop } from "./_signals.ts";
import { loadFromArgs, NEEDS_ALL } from "./_verb.ts";

export async function forwardOnce(
  mode: RunMode,
  args: ParsedArgs<typeof forwardArgs>,
  defaultConcurrency = 1,
  showProgress = false,
  notes: string[] = [],
): Promise<number> {
  const dryRun = Boolean(args["dry-run"]);
  const { config, raw } = loadFromArgs(args, { ...NEEDS_ALL, sink: !dryRun });
  for (const note of notes) logger.info(note);
  config.dryRun = dryRun;
  // forward-range reads several chunks at once unless told otherwise.
  if (!raw.has("concurrency")) config.window.concurrency = defaultConcurrency;
  const stop = listenForStop((signal) =>
    logger.warn(`${signal}: finishing the batch in flight, then stopping`),
  );
  const report = await runOnce(mode, config, {
    stopRequested: stop.stopRequested,
    progress: showProgress && process.stderr.isTTY ? progressPrinter() : undefined,
  });
  if (report.failure?.hint) logger.info(`hint: ${report.failure.hint}`);
  return report.exitCode;
}

function progressPrinter() {
  const started = Date.now();
  return (done: number, total: number, counts: RunCounts) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = Math.round(counts.fetched / Math.max(seconds, 0.001));
    const eta = done ? Math.round((seconds / done) * (total - done)) : 0;
    process.stderr.write(
      `\rchunks ${done}/${total}  ${rate} events/s  ETA ${eta} s   ${done === total ? "\n" : ""}`,
    );
  };
}
