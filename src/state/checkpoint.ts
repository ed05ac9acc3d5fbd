// How far `forward` got, and how far each `forward-range` got. The pipeline decides when to
// move them (only past fully settled chunks); this module only stores them safely.
import { logger } from "../log.ts";
import { type DocStore, isFiniteNumber, isRecord, readDoc, writeDoc } from "./documents.ts";
import { isRunStatus } from "./status.ts";

export interface RangeProgress {
  doneUntilMs: number;
  finished: boolean;
}

export interface CheckpointStore {
  /** ms: end of the last fully settled chunk of `forward`. */
  get(): Promise<number | undefined>;
  /** Stores as given: the caller decides whether it may move (it only moves forward there). */
  set(ms: number): Promise<void>;
  /** Forward-range progress, key = `${startMs}-${endMs}`. */
  getRange(key: string): Promise<RangeProgress | undefined>;
  setRange(key: string, value: RangeProgress): Promise<void>;
}

interface CheckpointDoc {
  v: 1;
  ms: number;
  /** Readable copy of `ms` for operators looking at the file. */
  at: string;
}

interface RangeDoc extends RangeProgress {
  v: 1;
  at: string;
}

const CHECKPOINT_KEY = "checkpoint.json";

export function createCheckpointStore(docs: DocStore): CheckpointStore {
  /** Set once this process has read or written a checkpoint (the daemon keeps its store). */
  let seenMs: number | undefined;
  return {
    async get() {
      const ms = (await readDoc(docs, CHECKPOINT_KEY, isCheckpointDoc))?.ms;
      if (ms === undefined) await warnIfVanished(docs, seenMs);
      seenMs = ms ?? seenMs;
      return ms;
    },
    async set(ms) {
      requireTime(ms, "checkpoint");
      seenMs = ms;
      const doc: CheckpointDoc = { v: 1, ms, at: new Date(ms).toISOString() };
      await writeDoc(docs, CHECKPOINT_KEY, doc);
    },
    async getRange(key) {
      const doc = await readDoc(docs, rangeKey(key), isRangeDoc);
      return doc && { doneUntilMs: doc.doneUntilMs, finished: doc.finished };
    },
    async setRange(key, value) {
      requireTime(value.doneUntilMs, "range progress");
      const doc: RangeDoc = {
        v: 1,
        doneUntilMs: value.doneUntilMs,
        finished: value.finished,
        at: new Date(value.doneUntilMs).toISOString(),
      };
      await writeDoc(docs, rangeKey(key), doc);
    },
  };
}

/**
 * A missing checkpoint is normal on a first run. After a checkpoint existed it means the state
 * was lost (a Redis restarted without persistence, an evicted key): the run starts over from the
 * lookback, so say so loudly instead of silently re-reading.
 */
async function warnIfVanished(docs: DocStore, seenMs: number | undefined): Promise<void> {
  const status = await readDoc(docs, "status.json", isRunStatus).catch(() => undefined);
  const knownAt =
    seenMs !== undefined
      ? `this process saw it at ${new Date(seenMs).toISOString()}`
      : status?.command === "forward" && status.checkpoint
        ? `the last forward run (ended ${status.endedAt}) left it at ${status.checkpoint}`
        : undefined;
  if (!knownAt) return;
  logger.error(
    `the checkpoint ${docs.where(CHECKPOINT_KEY)} has disappeared although ${knownAt}: was Redis restarted without persistence, or the state deleted? This run starts over from the lookback window.`,
  );
}

function rangeKey(key: string): string {
  // The key becomes a file name: keep it to digits, letters and dashes.
  if (!/^[\w-]+$/.test(key)) throw new TypeError(`invalid range key ${JSON.stringify(key)}`);
  return `range:${key}.json`;
}

function requireTime(ms: number, what: string): void {
  if (!isFiniteNumber(ms)) throw new TypeError(`${what} must be a time in ms, got ${ms}`);
}

export function isCheckpointDoc(value: unknown): value is CheckpointDoc {
  return isRecord(value) && value.v === 1 && isFiniteNumber(value.ms);
}

export function isRangeDoc(value: unknown): value is RangeDoc {
  return (
    isRecord(value) &&
    value.v === 1 &&
    isFiniteNumber(value.doneUntilMs) &&
    typeof value.finished === "boolean"
  );
}
