// Retry policy for Crusoe reads (pure): which answers to retry, and how long to wait.

/** 429, 408 and 5xx are worth another try; 400/401/403/404 will not change by waiting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Capped exponential backoff with jitter in [delay/2, delay), so parallel clients spread out. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const delay = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(delay / 2 + (random() * delay) / 2);
}

// A server asking for more than this is treated as this: a stuck run helps nobody.
const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Retry-After as delta-seconds or an HTTP date. The date is compared with the answer's own Date
 * header when there is one (server clock vs server clock), else with the local clock.
 */
export function parseRetryAfter(
  value: string | null,
  serverDateMs: number | undefined,
  localNowMs: number,
): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - (serverDateMs ?? localNowMs);
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
