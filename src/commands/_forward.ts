// What forward, forward-recent and forward-range share: config, signals, progress, exit code.
import type { ParsedArgs } from "citty";
import type { LoadedConfig } from "../config/load.ts";
import { AppError, EXIT } from "../errors.ts";
import { logContext, logger } from "../log.ts";
import type { RunCounts } from "../pipeline/counts.ts";
import type { RunMode } from "../pipeline/run.ts";
import { runOnce } from "../pipeline/session.ts";
import type { dryRunArg, forwardArgs } from "./_args.ts";
import { exitCodeFor, listenForStop } from "./_signals.ts";
import { loadStreamsFromArgs, NEEDS_ALL } from "./_verb.ts";

export async function forwardOnce(
  mode: RunMode,
  args: ParsedArgs<typeof forwardArgs & typeof dryRunArg>,
  defaultConcurrency = 1,
  showProgress = false,
  notes: string[] = [],
): Promise<number> {
  const dryRun = Boolean(args["dry-run"]);
  const { streams } = await loadStreamsFromArgs(args, { ...NEEDS_ALL, sink: !dryRun });
  for (const note of notes) logger.info(note);
  for (const { loaded } of streams) {
    loaded.config.dryRun = dryRun;
    // forward-range reads several chunks at once unless told otherwise.
    if (!loaded.raw.has("concurrency")) loaded.config.window.concurrency = defaultConcurrency;
  }
  const stop = listenForStop({
    onFirst: (message) => logger.warn(message),
    forcedExitCode: exitCodeFor,
  });
  const [only] = streams;
  if (only && only.name === undefined) return forwardStream(mode, only.loaded, stop, showProgress);
  // A config file: each stream in turn, each under its own lock; one failing stops no other.
  const outcomes: StreamOutcome[] = [];
  for (const { name, loaded } of streams) {
    if (stop.signal.aborted) break;
    let code: number;
    try {
      code = await forwardStream(mode, loaded, stop, false);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      logger.error(`stream "${name}": ${error.message}`);
      if (error.hint) logger.info(`hint: ${error.hint}`);
      code = error.exitCode;
    }
    outcomes.push({ name: name ?? "", code });
    logger[code === EXIT.ok ? "info" : "warn"](`stream "${name}": ${describeExit(code)}`);
  }
  logContext.stream = undefined;
  const signal = stop.received();
  const code = signal ? exitCodeFor(signal) : mostSevere(outcomes.map((o) => o.code));
  const line = `${outcomes.length} of ${streams.length} stream(s) run: ${outcomes.map((o) => `${o.name} ${describeExit(o.code)}`).join(", ")}; exit ${code}`;
  logger[code === EXIT.ok ? "info" : "warn"](line);
  return code;
}

interface StreamOutcome {
  name: string;
  code: number;
}

async function forwardStream(
  mode: RunMode,
  loaded: LoadedConfig,
  stop: ReturnType<typeof listenForStop>,
  showProgress: boolean,
): Promise<number> {
  const report = await runOnce(mode, loaded.config, {
    signal: stop.signal,
    // A person at a terminal; never in JSON logs (one object per line) or below info level.
    progress:
      showProgress &&
      process.stderr.isTTY &&
      loaded.extras.logFormat === "text" &&
      logger.level >= 3
        ? progressPrinter()
        : undefined,
  });
  // A closed stdout also interrupts a run, with its own exit code (141).
  const signal = stop.received();
  return report.outcome === "interrupted" && signal ? exitCodeFor(signal) : report.exitCode;
}

/** The exit code of several streams: the most severe, 2 > 1 > 3 > 75 > 0 (DESIGN.md). */
const SEVERITY: number[] = [EXIT.usage, EXIT.failed, EXIT.deadLettered, EXIT.lockHeld, EXIT.ok];

export function mostSevere(codes: number[]): number {
  // Anything unlisted (a signal's 128 + n) outranks them all.
  const rank = (code: number) => SEVERITY.indexOf(code);
  return codes.reduce((worst, code) => (rank(code) < rank(worst) ? code : worst), EXIT.ok);
}

function describeExit(code: number): string {
  if (code === EXIT.ok) return "ok";
  if (code === EXIT.deadLettered) return "dead-lettered (exit 3)";
  if (code === EXIT.lockHeld) return "lock held (exit 75)";
  if (code === EXIT.usage) return "not run (exit 2)";
  return `failed (exit ${code})`;
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
