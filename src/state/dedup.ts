// Delivered event ids, kept per HOUR of event time (not one key per id: 100k keys on disk take
// seconds, a few documents take milliseconds). Pruned by EVENT time, so a replayed range and the
// live forwarder recognise the same event inside the retention.
//
// An hour is a base document plus small delta documents: a commit writes only its own batch's
// ids (cheap at any volume). Deltas are compacted into the base once they hold as many ids as
// the base does, so each id is rewritten only a few times however busy the hour. Hours are
// loaded when an event of that hour is checked and can be forgotten once the run has moved on,
// so memory follows the hours being worked on, not the retention.
import { type DocStore, isFiniteNumber, isRecord, readDoc, writeDoc } from "./documents.ts";
import { CorruptStateError } from "./errors.ts";
import { IdSet } from "./id-set.ts";

export interface DedupStore {
  /** Validate every document within retention of nowMs (a corrupt one throws CorruptStateError naming it). */
  load(nowMs: number, retentionMs: number): Promise<DedupSet>;
  /** Add delivered (or dead-lettered) events, persisted before returning; prunes hours beyond retention. */
  commit(set: DedupSet, events: { id: string; timeMs: number }[]): Promise<void>;
  stats(): Promise<{ trackedIds: number; oldestMs?: number; newestMs?: number; buckets: number }>;
}

export interface DedupSet {
  /** Was this event (of this event time) delivered before? A plain boolean once its hour is loaded. */
  has(id: string, timeMs: number): boolean | Promise<boolean>;
  /** Drop hours before this time from memory (they stay on the store). */
  forgetBefore(ms: number): void;
  /** Ids tracked within the retention. */
  readonly size: number;
}

const HOUR_MS = 3_600_000;
const KEY_PATTERN = /^dedup:(\d{4}-\d{2}-\d{2}T\d{2})(?:-d(\d+))?\.json$/;
/** Deltas an hour collects at least before it is compacted into its base document. */
const MIN_DELTAS = 32;

export interface BucketDoc {
  v: 1;
  hour: string;
  minMs: number;
  maxMs: number;
  ids: string[];
}

interface HourKeys {
  base: boolean;
  deltas: number[];
}

interface LoadedHour {
  ids: IdSet;
  /** Ids held in delta documents (the rest are in the base). */
  deltaIds: number;
  minMs: number;
  maxMs: number;
}

class LoadedSet implements DedupSet {
  /** Every hour on the store (within retention) and its documents. */
  readonly keys = new Map<number, HourKeys>();
  readonly hours = new Map<number, LoadedHour>();
  private readonly loading = new Map<number, Promise<LoadedHour>>();
  /** Documents beyond the retention; removed at the next commit, not by a read. */
  staleKeys: string[] = [];
  size = 0;
  private readonly loadedAt = Date.now();

  constructor(
    private readonly docs: DocStore,
    private readonly nowMs: number,
    private readonly retentionMs: number,
  ) {}

  /** Start of the oldest hour still kept; advances with wall time for long-lived sets (daemon). */
  cutoffMs(): number {
    return this.nowMs + (Date.now() - this.loadedAt) - this.retentionMs;
  }

  has(id: string, timeMs: number): boolean | Promise<boolean> {
    const hourMs = hourOf(timeMs);
    if (isExpired(hourMs, this.cutoffMs())) return false;
    const hour = this.hour(hourMs);
    return hour instanceof Promise ? hour.then((loaded) => loaded.ids.has(id)) : hour.ids.has(id);
  }

  forgetBefore(ms: number): void {
    for (const hourMs of this.hours.keys()) if (hourMs + HOUR_MS <= ms) this.hours.delete(hourMs);
  }

  hour(hourMs: number): Promise<LoadedHour> | LoadedHour {
    const loaded = this.hours.get(hourMs);
    if (loaded) return loaded;
    // Many events of one hour ask at once: read its documents once.
    let loading = this.loading.get(hourMs);
    if (!loading) {
      const keys = this.keys.get(hourMs) ?? { base: false, deltas: [] };
      loading = Promise.all([
        keys.base ? readBucket(this.docs, keyFor(hourMs)) : undefined,
        Promise.all(keys.deltas.map((seq) => readBucket(this.docs, keyFor(hourMs, seq)))),
      ]).then(([base, deltas]) => {
        const hour = emptyHour();
        if (base) mergeInto(hour, base);
        for (const delta of deltas) {
          if (!delta) continue;
          mergeInto(hour, delta);
          hour.deltaIds += delta.ids.length;
        }
        this.hours.set(hourMs, hour);
        this.loading.delete(hourMs);
        return hour;
      });
      this.loading.set(hourMs, loading);
    }
    return loading;
  }
}

export function createDedupStore(docs: DocStore): DedupStore {
  return {
    async load(nowMs, retentionMs) {
      const set = new LoadedSet(docs, nowMs, retentionMs);
      const cutoff = set.cutoffMs();
      for (const [hourMs, keys] of await listHours(docs)) {
        if (isExpired(hourMs, cutoff)) set.staleKeys.push(...keysOf(hourMs, keys));
        else set.keys.set(hourMs, keys);
      }
      // Read (and so validate) every document now: a corrupt one must stop the run before
      // anything is sent, not when its hour comes up. Only the count is kept (deltas hold
      // only ids new to their hour, so lengths add up).
      for (const [hourMs, keys] of set.keys) {
        for (const doc of await readHour(docs, hourMs, keys)) set.size += doc.ids.length;
      }
      return set;
    },

    async commit(set, events) {
      if (!(set instanceof LoadedSet)) throw new TypeError("commit needs a set from load()");
      const cutoff = set.cutoffMs();
      const byHour = new Map<number, { id: string; timeMs: number }[]>();
      for (const event of events) {
        if (!isFiniteNumber(event.timeMs))
          throw new TypeError(`event ${event.id} has no valid time`);
        const hourMs = hourOf(event.timeMs);
        // Beyond the retention the id would be pruned at once; the checkpoint covers such ranges.
        if (isExpired(hourMs, cutoff)) continue;
        const list = byHour.get(hourMs);
        if (list) list.push(event);
        else byHour.set(hourMs, [event]);
      }
      for (const [hourMs, hourEvents] of byHour) await commitHour(docs, set, hourMs, hourEvents);
      await pruneExpired(docs, set, cutoff);
    },

    async stats() {
      let trackedIds = 0;
      let oldestMs: number | undefined;
      let newestMs: number | undefined;
      const hours = await listHours(docs);
      for (const [hourMs, keys] of hours) {
        const hour = emptyHour();
        for (const doc of await readHour(docs, hourMs, keys)) mergeInto(hour, doc);
        if (hour.ids.size === 0) continue;
        trackedIds += hour.ids.size;
        oldestMs = Math.min(oldestMs ?? hour.minMs, hour.minMs);
        newestMs = Math.max(newestMs ?? hour.maxMs, hour.maxMs);
      }
      return { trackedIds, oldestMs, newestMs, buckets: hours.size };
    },
  };
}

/** Write the hour's new ids as one delta (or, past MAX_DELTAS, the compacted base). */
async function commitHour(
  docs: DocStore,
  set: LoadedSet,
  hourMs: number,
  events: { id: string; timeMs: number }[],
): Promise<void> {
  const hour = await set.hour(hourMs);
  const fresh = new Map<string, number>();
  for (const { id, timeMs } of events) if (!hour.ids.has(id)) fresh.set(id, timeMs);
  if (fresh.size === 0) return;
  const times = [...fresh.values()];
  const delta: BucketDoc = {
    v: 1,
    hour: hourName(hourMs),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    ids: [...fresh.keys()],
  };
  const keys = set.keys.get(hourMs) ?? { base: false, deltas: [] };
  const baseIds = hour.ids.size - hour.deltaIds;
  if (keys.deltas.length < MIN_DELTAS || hour.deltaIds + fresh.size < baseIds) {
    const seq = (keys.deltas.at(-1) ?? 0) + 1;
    await writeDoc(docs, keyFor(hourMs, seq), delta);
    keys.deltas.push(seq);
    hour.deltaIds += fresh.size;
  } else {
    // Base first: until the deltas are gone, a crash leaves ids in both, which is harmless.
    const ids = [...hour.ids, ...delta.ids];
    const base = {
      ...delta,
      minMs: Math.min(hour.minMs, delta.minMs),
      maxMs: Math.max(hour.maxMs, delta.maxMs),
      ids,
    };
    await writeDoc(docs, keyFor(hourMs), base);
    await Promise.all(keys.deltas.map((seq) => docs.remove(keyFor(hourMs, seq))));
    keys.base = true;
    keys.deltas = [];
    hour.deltaIds = 0;
  }
  set.keys.set(hourMs, keys);
  mergeInto(hour, delta);
  set.size += fresh.size;
}

async function pruneExpired(docs: DocStore, set: LoadedSet, cutoff: number): Promise<void> {
  const removals = set.staleKeys;
  for (const [hourMs, keys] of set.keys) {
    if (!isExpired(hourMs, cutoff)) continue;
    removals.push(...keysOf(hourMs, keys));
    set.keys.delete(hourMs);
    set.hours.delete(hourMs);
  }
  await Promise.all(removals.map((key) => docs.remove(key)));
  set.staleKeys = [];
}

function emptyHour(): LoadedHour {
  return { ids: new IdSet(), deltaIds: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 };
}

function mergeInto(hour: LoadedHour, doc: BucketDoc): void {
  for (const id of doc.ids) hour.ids.add(id);
  hour.minMs = Math.min(hour.minMs, doc.minMs);
  hour.maxMs = Math.max(hour.maxMs, doc.maxMs);
}

async function readHour(
  docs: DocStore,
  hourMs: number,
  keys: HourKeys | undefined,
): Promise<BucketDoc[]> {
  if (!keys) return [];
  const found = await Promise.all(keysOf(hourMs, keys).map((key) => readBucket(docs, key)));
  return found.filter((doc): doc is BucketDoc => doc !== undefined);
}

function isExpired(hourMs: number, cutoff: number): boolean {
  return hourMs + HOUR_MS <= cutoff;
}

function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function hourName(hourMs: number): string {
  return new Date(hourMs).toISOString().slice(0, 13);
}

function keyFor(hourMs: number, delta?: number): string {
  return `dedup:${hourName(hourMs)}${delta === undefined ? "" : `-d${delta}`}.json`;
}

function keysOf(hourMs: number, keys: HourKeys): string[] {
  return [...(keys.base ? [keyFor(hourMs)] : []), ...keys.deltas.map((seq) => keyFor(hourMs, seq))];
}

/** The hours on the store and their documents; other names (documents moved aside) are not buckets. */
async function listHours(docs: DocStore): Promise<Map<number, HourKeys>> {
  const hours = new Map<number, HourKeys>();
  for (const key of await docs.keys("dedup")) {
    const match = KEY_PATTERN.exec(key);
    if (!match?.[1]) continue;
    const hourMs = Date.parse(`${match[1]}:00:00Z`);
    const entry = hours.get(hourMs) ?? { base: false, deltas: [] };
    if (match[2] === undefined) entry.base = true;
    else entry.deltas.push(Number(match[2]));
    hours.set(hourMs, entry);
  }
  for (const entry of hours.values()) entry.deltas.sort((a, b) => a - b);
  return new Map([...hours].sort((a, b) => a[0] - b[0]));
}

/** Reads and validates one bucket document; throws CorruptStateError naming it. */
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
