// Delivered event ids, kept per HOUR of event time (not one key per id: 100k keys on disk take
// seconds, a few documents take milliseconds). Pruned by EVENT time, so a replayed range and the
// live forwarder recognise the same event inside the retention.
//
// An hour is a set of documents: each commit writes its own batch's ids as a new delta (cheap at
// any volume). Deltas are merged in size tiers (sizes within a factor of 16): once a tier holds
// MERGE_COUNT deltas, they become one of at most MERGE_MAX_IDS ids. So the files stay few (at
// most 15 per tier, plus merged ones of 4,096+ ids), an id is rewritten about once per tier,
// not at every merge (merging "the smallest" merged the same ids again and again: 157k ids
// written for 64k committed), and no write ever holds more than MERGE_MAX_IDS ids in memory,
// however busy the hour (a whole-hour rewrite of 400k ids took ~100 MB). Base documents written
// by earlier versions are still read, never rewritten. Hours are loaded when an event of that
// hour is checked and can be forgotten once the run has moved on, so memory follows the hours
// being worked on, not the retention.
import { type DocStore, isFiniteNumber, isRecord, readDoc, writeDoc } from "./documents.ts";
import { CorruptStateError } from "./errors.ts";
import { IdSet } from "./id-set.ts";

export interface DedupStore {
  /**
   * Validate every document within retention of nowMs (a corrupt one throws CorruptStateError
   * naming it). The hour of `startMs` and the next, where a run starts, stay loaded as read.
   */
  load(nowMs: number, retentionMs: number, startMs?: number): Promise<DedupSet>;
  /** Add delivered (or dead-lettered) events, persisted before returning; prunes hours beyond retention. */
  commit(set: DedupSet, events: { id: string; timeMs: number }[]): Promise<void>;
  stats(): Promise<{ trackedIds: number; oldestMs?: number; newestMs?: number; buckets: number }>;
}

export interface DedupSet {
  /** Was this event (of this event time) delivered before? A plain boolean once its hour is loaded. */
  has(id: string, timeMs: number): boolean | Promise<boolean>;
  /** Drop hours before this time from memory (they stay on the store). */
  forgetBefore(ms: number): void;
  /**
   * Ids tracked when the set was loaded plus those committed since (hours expiring meanwhile
   * are not subtracted): used as "this stream has delivered before".
   */
  readonly size: number;
}

const HOUR_MS = 3_600_000;
const KEY_PATTERN = /^dedup:(\d{4}-\d{2}-\d{2}T\d{2})(?:-d(\d+))?\.json$/;
/** Deltas of one size tier that are merged into one. */
const MERGE_COUNT = 16;
/** A merge writes at most this many ids (about 4.5 MB of JSON). */
const MERGE_MAX_IDS = 65_536;
/** Hours from a run's start that load() keeps as read (an idle run would read them twice). */
const KEEP_HOURS = 2;

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
  /** Ids in each delta document, by its sequence number. */
  deltaSizes: Map<number, number>;
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
      loading = readHourDocs(this.docs, hourMs, keys).then((read) => {
        const hour = loadedHour(keys, read);
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
    async load(nowMs, retentionMs, startMs) {
      const set = new LoadedSet(docs, nowMs, retentionMs);
      const cutoff = set.cutoffMs();
      for (const [hourMs, keys] of await listHours(docs)) {
        if (isExpired(hourMs, cutoff)) set.staleKeys.push(...keysOf(hourMs, keys));
        else set.keys.set(hourMs, keys);
      }
      // Read (and so validate) every document now: a corrupt one must stop the run before
      // anything is sent, not when its hour comes up. Only the count is kept (deltas hold
      // only ids new to their hour, so lengths add up), and the hours the run starts in.
      const keepFrom = startMs === undefined ? undefined : hourOf(startMs);
      for (const [hourMs, keys] of set.keys) {
        const read = await readHourDocs(docs, hourMs, keys);
        for (const doc of [read.base, ...read.deltas]) set.size += doc?.ids.length ?? 0;
        if (
          keepFrom !== undefined &&
          hourMs >= keepFrom &&
          hourMs < keepFrom + KEEP_HOURS * HOUR_MS
        )
          set.hours.set(hourMs, loadedHour(keys, read));
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
        const hour = loadedHour(keys, await readHourDocs(docs, hourMs, keys));
        if (hour.ids.size === 0) continue;
        trackedIds += hour.ids.size;
        oldestMs = Math.min(oldestMs ?? hour.minMs, hour.minMs);
        newestMs = Math.max(newestMs ?? hour.maxMs, hour.maxMs);
      }
      return { trackedIds, oldestMs, newestMs, buckets: hours.size };
    },
  };
}

/** Write the hour's new ids as one delta; then merge a size tier that is full. */
async function commitHour(
  docs: DocStore,
  set: LoadedSet,
  hourMs: number,
  events: { id: string; timeMs: number }[],
): Promise<void> {
  const hour = await set.hour(hourMs);
  // A Set: a batch may hold an id twice (the document must not, or sizes count it twice).
  const fresh = new Set<string>();
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = 0;
  for (const { id, timeMs } of events) {
    if (hour.ids.has(id) || fresh.has(id)) continue;
    fresh.add(id);
    minMs = Math.min(minMs, timeMs);
    maxMs = Math.max(maxMs, timeMs);
  }
  if (fresh.size === 0) return;
  const ids = [...fresh];
  const keys = set.keys.get(hourMs) ?? { base: false, deltas: [] };
  set.keys.set(hourMs, keys);
  const seq = (keys.deltas.at(-1) ?? 0) + 1;
  await writeDoc(docs, keyFor(hourMs, seq), { v: 1, hour: hourName(hourMs), minMs, maxMs, ids });
  // Into the set only once written: after a failed write the set still says "not delivered".
  keys.deltas.push(seq);
  hour.deltaSizes.set(seq, ids.length);
  hour.minMs = Math.min(hour.minMs, minMs);
  hour.maxMs = Math.max(hour.maxMs, maxMs);
  for (const id of ids) if (hour.ids.add(id)) set.size++;
  await mergeFullTier(docs, hourMs, keys, hour);
}

/** Size tier of a delta: 0 for 1-15 ids, 1 for 16-255, 2 for 256-4,095, and so on. */
function tierOf(ids: number): number {
  return Math.floor(Math.log2(Math.max(ids, 1)) / 4);
}

/** Merge MERGE_COUNT deltas of the smallest full tier into one of at most MERGE_MAX_IDS ids. */
async function mergeFullTier(
  docs: DocStore,
  hourMs: number,
  keys: HourKeys,
  hour: LoadedHour,
): Promise<void> {
  const tiers = new Map<number, number[]>();
  for (const seq of keys.deltas) {
    const tier = tierOf(size(hour, seq));
    const seqs = tiers.get(tier);
    if (seqs) seqs.push(seq);
    else tiers.set(tier, [seq]);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const seqs = tiers.get(tier) as number[];
    if (seqs.length < MERGE_COUNT) continue;
    const chosen = seqs.sort((a, b) => size(hour, a) - size(hour, b)).slice(0, MERGE_COUNT);
    // Full deltas (16 of 4,096+ ids can exceed the bound) stay as they are.
    if (chosen.reduce((sum, seq) => sum + size(hour, seq), 0) > MERGE_MAX_IDS) continue;
    await mergeDeltas(docs, hourMs, keys, hour, chosen);
    return;
  }
}

/** Merge the chosen deltas into one new delta. */
async function mergeDeltas(
  docs: DocStore,
  hourMs: number,
  keys: HourKeys,
  hour: LoadedHour,
  chosen: number[],
): Promise<void> {
  const parts = await Promise.all(chosen.map((seq) => readBucket(docs, keyFor(hourMs, seq))));
  const ids = new Set<string>();
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = 0;
  for (const part of parts) {
    if (!part) continue;
    for (const id of part.ids) ids.add(id);
    minMs = Math.min(minMs, part.minMs);
    maxMs = Math.max(maxMs, part.maxMs);
  }
  const seq = (keys.deltas.at(-1) ?? 0) + 1;
  // The merged document first: until the parts are gone, a crash leaves ids in both (harmless).
  await writeDoc(docs, keyFor(hourMs, seq), {
    v: 1,
    hour: hourName(hourMs),
    minMs,
    maxMs,
    ids: [...ids],
  });
  await Promise.all(chosen.map((part) => docs.remove(keyFor(hourMs, part))));
  const gone = new Set(chosen);
  keys.deltas = [...keys.deltas.filter((part) => !gone.has(part)), seq];
  for (const part of chosen) hour.deltaSizes.delete(part);
  hour.deltaSizes.set(seq, ids.size);
}

/** Ids in a delta; one written by another process and never read here counts as large. */
function size(hour: LoadedHour, seq: number): number {
  return hour.deltaSizes.get(seq) ?? MERGE_MAX_IDS;
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
  return { ids: new IdSet(), deltaSizes: new Map(), minMs: Number.POSITIVE_INFINITY, maxMs: 0 };
}

interface HourDocs {
  base: BucketDoc | undefined;
  /** In the order of the hour's `deltas` (undefined: removed since it was listed). */
  deltas: (BucketDoc | undefined)[];
}

function readHourDocs(docs: DocStore, hourMs: number, keys: HourKeys): Promise<HourDocs> {
  return Promise.all([
    keys.base ? readBucket(docs, keyFor(hourMs)) : undefined,
    Promise.all(keys.deltas.map((seq) => readBucket(docs, keyFor(hourMs, seq)))),
  ]).then(([base, deltas]) => ({ base, deltas }));
}

function loadedHour(keys: HourKeys, read: HourDocs): LoadedHour {
  const hour = emptyHour();
  if (read.base) mergeInto(hour, read.base);
  read.deltas.forEach((delta, at) => {
    if (!delta) return;
    mergeInto(hour, delta);
    hour.deltaSizes.set(keys.deltas[at] as number, delta.ids.length);
  });
  return hour;
}

function mergeInto(hour: LoadedHour, doc: BucketDoc): void {
  for (const id of doc.ids) hour.ids.add(id);
  hour.minMs = Math.min(hour.minMs, doc.minMs);
  hour.maxMs = Math.max(hour.maxMs, doc.maxMs);
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
