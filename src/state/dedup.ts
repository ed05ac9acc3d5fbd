// Delivered event ids, kept in one document per HOUR of event time (not one key per id: 100k
// keys on disk take seconds, a few documents take milliseconds). Pruned by EVENT time, so a
// replayed range and the live forwarder recognise the same event inside the retention.
import { type DocStore, isFiniteNumber, isRecord, readDoc, writeDoc } from "./documents.ts";
import { CorruptStateError } from "./errors.ts";

export interface DedupStore {
  /** Load ids whose event time is within retention of nowMs; throws CorruptStateError naming the file/key on a bad document. */
  load(nowMs: number, retentionMs: number): Promise<DedupSet>;
  /** Add delivered (or dead-lettered) events, persisted atomically before returning; prunes buckets older than retention. */
  commit(set: DedupSet, events: { id: string; timeMs: number }[]): Promise<void>;
  stats(): Promise<{ trackedIds: number; oldestMs?: number; newestMs?: number; buckets: number }>;
}

export interface DedupSet {
  has(id: string): boolean;
  readonly size: number;
}

const HOUR_MS = 3_600_000;
const KEY_PATTERN = /^dedup:(\d{4}-\d{2}-\d{2}T\d{2})\.json$/;

interface BucketDoc {
  v: 1;
  hour: string;
  minMs: number;
  maxMs: number;
  ids: string[];
}

class LoadedSet implements DedupSet {
  readonly all = new Set<string>();
  readonly buckets = new Map<number, BucketDoc>();
  /** Buckets left on the store beyond the retention; removed at the next commit, not by a read. */
  staleKeys: string[] = [];
  private readonly loadedAt = Date.now();

  constructor(
    private readonly nowMs: number,
    private readonly retentionMs: number,
  ) {}

  has(id: string): boolean {
    return this.all.has(id);
  }

  get size(): number {
    return this.all.size;
  }

  /** Start of the oldest hour still kept; advances with wall time for long-lived sets (daemon). */
  cutoffMs(): number {
    return this.nowMs + (Date.now() - this.loadedAt) - this.retentionMs;
  }
}

export function createDedupStore(docs: DocStore): DedupStore {
  return {
    async load(nowMs, retentionMs) {
      const set = new LoadedSet(nowMs, retentionMs);
      const cutoff = set.cutoffMs();
      const live: [number, string][] = [];
      for (const [key, hourMs] of await listBuckets(docs)) {
        if (isExpired(hourMs, cutoff)) set.staleKeys.push(key);
        else live.push([hourMs, key]);
      }
      const docsRead = await Promise.all(live.map(([, key]) => readBucket(docs, key)));
      live.forEach(([hourMs], i) => {
        const doc = docsRead[i];
        if (!doc) return;
        set.buckets.set(hourMs, doc);
        for (const id of doc.ids) set.all.add(id);
      });
      return set;
    },

    async commit(set, events) {
      if (!(set instanceof LoadedSet)) throw new TypeError("commit needs a set from load()");
      const cutoff = set.cutoffMs();
      const changed = stageEvents(set, events, cutoff);
      const expired = [...set.buckets.keys()].filter((hourMs) => isExpired(hourMs, cutoff));
      // Writes first, so an interrupted commit never loses ids it had already recorded.
      await Promise.all([...changed].map(([hourMs, doc]) => writeDoc(docs, keyFor(hourMs), doc)));
      for (const [hourMs, doc] of changed) {
        set.buckets.set(hourMs, doc);
        for (const id of doc.ids) set.all.add(id);
      }
      const removals = [...set.staleKeys, ...expired.map(keyFor)];
      await Promise.all(removals.map((key) => docs.remove(key)));
      set.staleKeys = [];
      for (const hourMs of expired) {
        for (const id of set.buckets.get(hourMs)?.ids ?? []) set.all.delete(id);
        set.buckets.delete(hourMs);
      }
    },

    async stats() {
      const keys = await listBuckets(docs);
      const buckets = await Promise.all(keys.map(([key]) => readBucket(docs, key)));
      let trackedIds = 0;
      let oldestMs: number | undefined;
      let newestMs: number | undefined;
      for (const doc of buckets) {
        if (!doc || doc.ids.length === 0) continue;
        trackedIds += doc.ids.length;
        oldestMs = Math.min(oldestMs ?? doc.minMs, doc.minMs);
        newestMs = Math.max(newestMs ?? doc.maxMs, doc.maxMs);
      }
      return { trackedIds, oldestMs, newestMs, buckets: keys.length };
    },
  };
}

/** New bucket documents (copies) holding the events not yet recorded; the set is untouched. */
function stageEvents(
  set: LoadedSet,
  events: { id: string; timeMs: number }[],
  cutoff: number,
): Map<number, BucketDoc> {
  const changed = new Map<number, BucketDoc>();
  const seen = new Set<string>();
  for (const { id, timeMs } of events) {
    if (!isFiniteNumber(timeMs)) throw new TypeError(`event ${id} has no valid time`);
    if (set.all.has(id) || seen.has(id)) continue;
    const hourMs = Math.floor(timeMs / HOUR_MS) * HOUR_MS;
    // Beyond the retention the id would be pruned at once; the checkpoint covers such ranges.
    if (isExpired(hourMs, cutoff)) continue;
    seen.add(id);
    let doc = changed.get(hourMs);
    if (!doc) {
      const old = set.buckets.get(hourMs);
      doc = old
        ? { ...old, ids: [...old.ids] }
        : { v: 1, hour: hourName(hourMs), minMs: timeMs, maxMs: timeMs, ids: [] };
      changed.set(hourMs, doc);
    }
    doc.ids.push(id);
    doc.minMs = Math.min(doc.minMs, timeMs);
    doc.maxMs = Math.max(doc.maxMs, timeMs);
  }
  return changed;
}

function isExpired(hourMs: number, cutoff: number): boolean {
  return hourMs + HOUR_MS <= cutoff;
}

function hourName(hourMs: number): string {
  return new Date(hourMs).toISOString().slice(0, 13);
}

function keyFor(hourMs: number): string {
  return `dedup:${hourName(hourMs)}.json`;
}

/** Bucket keys with their hour; other names (documents moved aside) are not buckets. */
async function listBuckets(docs: DocStore): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for (const key of await docs.keys("dedup")) {
    const hour = KEY_PATTERN.exec(key)?.[1];
    if (hour) out.push([key, Date.parse(`${hour}:00:00Z`)]);
  }
  return out.sort((a, b) => a[1] - b[1]);
}

/** Reads and validates one bucket; throws CorruptStateError naming it. */
export async function readBucket(docs: DocStore, key: string): Promise<BucketDoc | undefined> {
  const hour = KEY_PATTERN.exec(key)?.[1];
  const doc = await readDoc(docs, key, isBucketDoc);
  if (doc && doc.hour !== hour) {
    throw new CorruptStateError(
      docs.where(key),
      `holds hour ${doc.hour}, not the hour in its name`,
    );
  }
  return doc;
}

function isBucketDoc(value: unknown): value is BucketDoc {
  return (
    isRecord(value) &&
    value.v === 1 &&
    typeof value.hour === "string" &&
    isFiniteNumber(value.minMs) &&
    isFiniteNumber(value.maxMs) &&
    Array.isArray(value.ids) &&
    value.ids.every((id) => typeof id === "string")
  );
}
