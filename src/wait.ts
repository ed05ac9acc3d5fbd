// Waiting between attempts, shared by the Crusoe reader and the HEC sender: Retry-After,
// capped backoff with jitter, and sleeps that a stop signal (SIGTERM/SIGINT) ends at once.

/**
 * The longest wait before another attempt. A server asking for more (Retry-After) fails the run
 * instead: nothing advanced, the next run retries, and a stop signal is never stuck behind it.
 */
export const MAX_WAIT_MS = 30_000;

/** A stopped run ends within this (README, "Exit codes"); systemd's TimeoutStopSec exceeds it. */
export const STOP_BOUND_MS = 5_000;

/** How long a HEC request already in flight may still take after a stop, so its answer counts. */
export const STOP_GRACE_MS = 3_000;

/**
 * Retry-After (RFC 9110) in ms: delta-seconds or an HTTP date. The date is compared with the
 * answer's own Date header when there is one (server clock against server clock), else with
 * the local clock. Never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  localNowMs: number,
  serverDateMs?: number,
): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date names a weekday and a month; Date.parse would read "-5" as a year.
  if (!/^[A-Za-z]/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - (serverDateMs ?? localNowMs));
}

/**
 * Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped, with "equal jitter"
 * (half fixed, half random) so many clients don't retry in lockstep yet never retry at once.
 */
export function computeBackoff(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Sleeps `ms`; a stop ends it at once. Resolves false when stopped, true otherwise. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stopped);
      resolve(slept);
    };
    const stopped = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener("abort", stopped, { once: true });
  });
}

/** A signal that aborts `graceMs` after `stop` does: lets an answer already on its way arrive. */
export function afterGrace(
  stop: AbortSignal | undefined,
  graceMs: number,
): AbortSignal | undefined {
  if (!stop) return undefined;
  const late = new AbortController();
  const fire = () => {
    const timer = setTimeout(() => late.abort(stop.reason), graceMs);
    // The grace period must not keep a finished process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  if (stop.aborted) fire();
  else stop.addEventListener("abort", fire, { once: true });
  return late.signal;
}

/**
 * Runs one request under its own timeout, ended early by `stop` when given. The listener on
 * `stop` is removed afterwards: a daemon's stop signal lives for months of requests.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  stop: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("request timed out", "TimeoutError")),
    timeoutMs,
  );
  const stopped = () => controller.abort(stop?.reason);
  if (stop?.aborted) stopped();
  else stop?.addEventListener("abort", stopped, { once: true });
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener("abort", stopped);
  }
}
