// Which time ranges a run reads. Pure: the clock and the checkpoint come in as numbers.

export interface TimeRange {
  startMs: number;
  endMs: number;
}

const SECOND = 1000;
/** The API takes whole seconds: bounds on whole seconds keep neighbouring requests from overlapping. */
const wholeSecond = (ms: number) => Math.floor(ms / SECOND) * SECOND;
const DAY = 86_400 * SECOND;
/** Crusoe keeps 90 days of audit history. */
export const RETENTION_MS = 90 * DAY;
/** Warn when the checkpoint falls this far behind: past 90 days events are gone for good. */
export const BEHIND_WARNING_MS = 80 * DAY;

export interface ForwardPlanInput {
  checkpointMs?: number;
  serverNowMs: number;
  lookbackSeconds: number;
  overlapSeconds: number;
  lagSeconds: number;
}

export interface ForwardPlan {
  range?: TimeRange;
  /** Set when the checkpoint is dangerously old (or older than Crusoe keeps). */
  warning?: string;
}

/** `forward`: from checkpoint − overlap (first run: now − lookback) to server_now − lag. */
export function planForward(input: ForwardPlanInput): ForwardPlan {
  const endMs = wholeSecond(input.serverNowMs - input.lagSeconds * SECOND);
  const wanted =
    input.checkpointMs === undefined
      ? input.serverNowMs - input.lookbackSeconds * SECOND
      : input.checkpointMs - input.overlapSeconds * SECOND;
  const oldest = input.serverNowMs - RETENTION_MS;
  const startMs = wholeSecond(Math.max(wanted, oldest));
  let warning: string | undefined;
  if (
    input.checkpointMs !== undefined &&
    input.serverNowMs - input.checkpointMs > BEHIND_WARNING_MS
  ) {
    const days = Math.floor((input.serverNowMs - input.checkpointMs) / DAY);
    warning =
      wanted < oldest
        ? `checkpoint is ${days} days behind: Crusoe keeps 90 days, events before ${new Date(oldest).toISOString()} are lost`
        : `checkpoint is ${days} days behind: Crusoe keeps 90 days, catch up before events expire`;
  }
  return { range: startMs < endMs ? { startMs, endMs } : undefined, warning };
}

/** Cut a range into chunks of at most chunkSeconds, aligned to the range start. */
export function planChunks(range: TimeRange, chunkSeconds: number): TimeRange[] {
  const step = chunkSeconds * SECOND;
  const chunks: TimeRange[] = [];
  for (let start = range.startMs; start < range.endMs; start += step) {
    chunks.push({ startMs: start, endMs: Math.min(start + step, range.endMs) });
  }
  return chunks;
}

/** forward-range bounds: RFC3339 with Z or an offset; start before end; end not past now − lag. */
export function parseRangeBounds(
  startText: string,
  endText: string | undefined,
  serverNowMs: number,
  lagSeconds: number,
): TimeRange | string {
  const latest = wholeSecond(serverNowMs - lagSeconds * SECOND);
  const startMs = wholeSecondOrUndefined(parseRfc3339(startText));
  if (startMs === undefined)
    return `--start-time: "${startText}" is not an RFC3339 time (e.g. 2026-01-02T03:04:05Z)`;
  const endMs = endText === undefined ? latest : wholeSecondOrUndefined(parseRfc3339(endText));
  if (endMs === undefined)
    return `--end-time: "${endText}" is not an RFC3339 time (e.g. 2026-01-02T03:04:05Z)`;
  if (startMs >= endMs) return "--start-time must be before --end-time";
  if (endMs > latest)
    return `--end-time is in the future (latest allowed: ${new Date(latest).toISOString()}, now − lag)`;
  if (startMs < serverNowMs - RETENTION_MS)
    return "--start-time is older than the 90 days Crusoe keeps";
  return { startMs, endMs };
}

function wholeSecondOrUndefined(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : wholeSecond(ms);
}

/** The last `hours` before server now − lag. */
export function planRecent(serverNowMs: number, hours: number, lagSeconds: number): TimeRange {
  const endMs = wholeSecond(serverNowMs - lagSeconds * SECOND);
  return { startMs: wholeSecond(endMs - hours * 3_600_000), endMs };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text.trim())) return;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? ms : undefined;
}
