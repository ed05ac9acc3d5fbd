// Which time ranges a run reads. Pure: the clock and the checkpoint come in as numbers.
import { parseTimeInput } from "../time.ts";

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
  /** Where a stream without a checkpoint starts instead of now − lookback (`--start-time`). */
  firstStartMs?: number;
}

export interface ForwardPlan {
  range?: TimeRange;
  /** Set when the checkpoint is dangerously old (or older than Crusoe keeps). */
  warning?: string;
}

/**
 * `forward`: from checkpoint − overlap (first run: --start-time, else now − lookback) to
 * server_now − lag.
 */
export function planForward(input: ForwardPlanInput): ForwardPlan {
  const endMs = wholeSecond(input.serverNowMs - input.lagSeconds * SECOND);
  const wanted =
    input.checkpointMs === undefined
      ? (input.firstStartMs ?? input.serverNowMs - input.lookbackSeconds * SECOND)
      : input.checkpointMs - input.overlapSeconds * SECOND;
  const oldest = input.serverNowMs - RETENTION_MS;
  const startMs = wholeSecond(Math.max(wanted, oldest));
  let warning: string | undefined;
  if (input.checkpointMs === undefined && wanted < oldest) {
    warning = `--start-time is older than the 90 days Crusoe keeps: starting at ${new Date(oldest).toISOString()}`;
  }
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

export interface RangeInput {
  startMs: number;
  /** Absent: up to server now − lag, known only after asking Crusoe. */
  endMs?: number;
  /** Lines to log: a bound given without an offset was read as UTC. */
  notes: string[];
}

const TIME_EXAMPLE = "RFC3339, e.g. 2026-01-02T03:04:05Z, or a UTC date 2026-01-02";

/** The bounds as typed, checked without the server: syntax, real dates, start before end. */
export function parseRangeInput(
  startText: string,
  endText: string | undefined,
  flags = { start: "--start-time", end: "--end-time" },
): RangeInput | string {
  const notes: string[] = [];
  const read = (flag: string, text: string) => {
    const parsed = parseTimeInput(text);
    if (parsed?.assumedUtc) {
      notes.push(`${flag} ${text} has no UTC offset: read as UTC (${isoSecond(parsed.ms)})`);
    }
    return parsed && wholeSecond(parsed.ms);
  };
  const startMs = read(flags.start, startText);
  if (startMs === undefined)
    return `${flags.start}: "${startText}" is not a time (${TIME_EXAMPLE})`;
  if (endText === undefined) return { startMs, notes };
  const endMs = read(flags.end, endText);
  if (endMs === undefined) return `${flags.end}: "${endText}" is not a time (${TIME_EXAMPLE})`;
  if (startMs >= endMs) return `${flags.start} must be before ${flags.end}`;
  return { startMs, endMs, notes };
}

/** forward-range bounds against the server's clock: end not past now − lag, start within 90 days. */
export function parseRangeBounds(
  startText: string,
  endText: string | undefined,
  serverNowMs: number,
  lagSeconds: number,
): TimeRange | string {
  const input = parseRangeInput(startText, endText);
  if (typeof input === "string") return input;
  const latest = wholeSecond(serverNowMs - lagSeconds * SECOND);
  const { startMs } = input;
  const endMs = input.endMs ?? latest;
  if (startMs >= endMs)
    return input.endMs === undefined
      ? `--start-time is not before now − lag (${isoSecond(latest)}): nothing to forward`
      : "--start-time must be before --end-time";
  if (endMs > latest)
    return `--end-time is in the future (latest allowed: ${new Date(latest).toISOString()}, now − lag)`;
  if (startMs < serverNowMs - RETENTION_MS)
    return "--start-time is older than the 90 days Crusoe keeps";
  return { startMs, endMs };
}

const isoSecond = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The last `hours` before server now − lag. */
export function planRecent(serverNowMs: number, hours: number, lagSeconds: number): TimeRange {
  const endMs = wholeSecond(serverNowMs - lagSeconds * SECOND);
  return { startMs: wholeSecond(endMs - hours * 3_600_000), endMs };
}
