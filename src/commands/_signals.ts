// SIGTERM/SIGINT stop a run promptly: the AbortSignal handed to the core ends Crusoe requests and
// every wait at once, and HEC requests in flight get a short grace so an answered batch is still
// committed (src/wait.ts). A run still going STOP_BOUND_MS after the signal, or a second signal,
// exits at once: state stays consistent either way (nothing is committed ahead of Splunk).
import { EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import { STOP_BOUND_MS } from "../wait.ts";

export interface StopControl {
  signal: AbortSignal;
  /** The signal that asked us to stop, if one did. */
  received: () => NodeJS.Signals | undefined;
}

/** The shell's convention for a process ended by a signal: 128 + its number. */
export function exitCodeFor(signal: NodeJS.Signals | undefined): number {
  return signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
}

export function listenForStop(options: {
  /** Told what happens next, to log it at the caller's level. */
  onFirst: (message: string) => void;
  /** Exit code when the run does not end by itself within the bound. */
  forcedExitCode: (signal: NodeJS.Signals) => number;
}): StopControl {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (received) process.exit(options.forcedExitCode(signal));
    received = signal;
    options.onFirst(
      `${signal}: stopping within ${STOP_BOUND_MS / 1000} s; batches accepted by Splunk are committed, the rest waits for the next run`,
    );
    controller.abort(new Error(`stopped by ${signal}`));
    const watchdog = setTimeout(() => {
      logger.error(
        `still running ${STOP_BOUND_MS / 1000} s after ${signal}: exiting now (what was not settled is sent again by the next run)`,
      );
      process.exit(options.forcedExitCode(signal));
    }, STOP_BOUND_MS);
    // Never what keeps a finished process alive (Deno's timers are plain numbers).
    (watchdog as { unref?: () => void }).unref?.();
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
  return { signal: controller.signal, received: () => received };
}
