// Delivered ids held compactly: an event id is a SHA-256 in hex (64 characters, ~130-230 bytes
// as a string in a Set); here it is its 32-byte digest. Recent digests go into a small
// open-addressed table; each time it holds TABLE_MAX of them they are sorted into a run of their
// own (36 bytes an id: the digest and its first word again, for the binary search), and runs are
// never rewritten. A single table that doubles kept up to 4x slack and, while doubling, both
// tables: 400k ids took 33 MB plus 16 MB, and peak memory grew with how densely events fall in
// an hour. A lookup is one binary search per run: an hour of 1M ids is 16 runs (~1 µs).
// Anything that is not 64 lowercase hex characters (never produced by eventId, but a document
// may hold it) goes to a plain Set.

import { Buffer } from "node:buffer";

const DIGEST = 32;
/** A digest is compared and copied as eight 32-bit words (a byte loop or .set() cost ~3x more). */
const WORDS = DIGEST / 4;
const MIN_SLOTS = 1024;
/** Digests the table takes before they are sorted into a run (its slots stay <= 131,072). */
const TABLE_MAX = 65_536;
const HEX = "0123456789abcdef";
/** char code -> nibble, 255 for anything that is not lowercase hex (every UTF-16 unit mapped). */
const NIBBLE = new Uint8Array(65536).fill(255);
for (let i = 0; i < 16; i++) NIBBLE[HEX.charCodeAt(i)] = i;

export class IdSet {
  private slots = MIN_SLOTS;
  private digests = new Uint8Array(MIN_SLOTS * DIGEST);
  /** The same table as words. */
  private words = new Int32Array(this.digests.buffer);
  private used = new Uint8Array(MIN_SLOTS);
  private count = 0;
  /** Older digests, each run ordered by their first four bytes (`heads`, big-endian). */
  private readonly runs: { heads: Uint32Array; words: Int32Array }[] = [];
  private inRuns = 0;
  private others: Set<string> | undefined;
  /** Scratch for the id being looked up (everything here is synchronous), as bytes and words. */
  private readonly probe = new Uint8Array(DIGEST);
  private readonly probeWords = new Int32Array(this.probe.buffer);

  get size(): number {
    return this.count + this.inRuns + (this.others?.size ?? 0);
  }

  has(id: string): boolean {
    if (!decodeInto(id, this.probe)) return this.others?.has(id) ?? false;
    return this.find() >= 0 || this.inAnyRun();
  }

  /** Adds the id; false when it was there already. */
  add(id: string): boolean {
    if (!decodeInto(id, this.probe)) {
      this.others ??= new Set();
      if (this.others.has(id)) return false;
      this.others.add(id);
      return true;
    }
    if (this.find() >= 0 || this.inAnyRun()) return false;
    if ((this.count + 1) * 4 > this.slots * 3) this.grow();
    this.placeWords(start(this.probe, 0), this.probeWords, 0);
    this.count++;
    if (this.count >= TABLE_MAX) this.sortIntoRun();
    return true;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (const { heads, words } of this.runs) {
      const run = Buffer.from(words.buffer, 0, words.byteLength);
      for (let at = 0; at < heads.length; at++) yield encodeHex(run, at * DIGEST);
    }
    const table = Buffer.from(this.digests.buffer, 0, this.digests.byteLength);
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.used[slot]) yield encodeHex(table, slot * DIGEST);
    }
    if (this.others) yield* this.others;
  }

  /** Slot holding the probe's digest, or -1. */
  private find(): number {
    const mask = this.slots - 1;
    for (let slot = start(this.probe, 0) & mask; this.used[slot]; slot = (slot + 1) & mask) {
      if (equalAt(this.words, slot * WORDS, this.probeWords)) return slot;
    }
    return -1;
  }

  private inAnyRun(): boolean {
    if (this.runs.length === 0) return false;
    const head = start(this.probe, 0) >>> 0;
    for (const run of this.runs) if (this.inRun(run.heads, run.words, head)) return true;
    return false;
  }

  /** Is the probe's digest in this run? Binary search on the first word, then the few equal. */
  private inRun(heads: Uint32Array, words: Int32Array, head: number): boolean {
    let low = 0;
    let high = heads.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((heads[mid] as number) < head) low = mid + 1;
      else high = mid;
    }
    for (let at = low; at < heads.length && heads[at] === head; at++) {
      if (equalAt(words, at * WORDS, this.probeWords)) return true;
    }
    return false;
  }

  /** Puts the digest at `from[at..at+WORDS)` into the first free slot after `hash`. */
  private placeWords(hash: number, from: Int32Array, at: number): void {
    const mask = this.slots - 1;
    let slot = hash & mask;
    while (this.used[slot]) slot = (slot + 1) & mask;
    this.used[slot] = 1;
    const to = slot * WORDS;
    for (let i = 0; i < WORDS; i++) this.words[to + i] = from[at + i] as number;
  }

  private grow(): void {
    const { digests, words, used, slots } = this;
    this.resetTable(slots * 2);
    for (let slot = 0; slot < slots; slot++) {
      if (used[slot]) this.placeWords(start(digests, slot * DIGEST), words, slot * WORDS);
    }
  }

  private resetTable(slots: number): void {
    this.slots = slots;
    this.digests = new Uint8Array(slots * DIGEST);
    this.words = new Int32Array(this.digests.buffer);
    this.used = new Uint8Array(slots);
  }

  /** Sort the table's digests into a new run and empty the table. */
  private sortIntoRun(): void {
    // Head and slot packed into one number (head < 2^32, slot < 2^17): a native numeric sort.
    const keys = new Float64Array(this.count);
    let n = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.used[slot]) keys[n++] = (start(this.digests, slot * DIGEST) >>> 0) * 2 ** 17 + slot;
    }
    keys.sort();
    const heads = new Uint32Array(n);
    const words = new Int32Array(n * WORDS);
    for (let at = 0; at < n; at++) {
      const key = keys[at] as number;
      const head = Math.floor(key / 2 ** 17);
      const slot = key - head * 2 ** 17;
      heads[at] = head;
      for (let i = 0; i < WORDS; i++)
        words[at * WORDS + i] = this.words[slot * WORDS + i] as number;
    }
    this.runs.push({ heads, words });
    this.inRuns += n;
    this.count = 0;
    this.resetTable(MIN_SLOTS);
  }
}

/** The digest's first four bytes: SHA-256 output is uniform, so they spread the slots. */
function start(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)
  );
}

function equalAt(table: Int32Array, at: number, digest: Int32Array): boolean {
  for (let i = 0; i < WORDS; i++) if (table[at + i] !== digest[i]) return false;
  return true;
}

function decodeInto(id: string, out: Uint8Array): boolean {
  if (id.length !== DIGEST * 2) return false;
  for (let i = 0; i < DIGEST; i++) {
    const high = NIBBLE[id.charCodeAt(2 * i)] as number;
    const low = NIBBLE[id.charCodeAt(2 * i + 1)] as number;
    if (high === 255 || low === 255) return false;
    out[i] = (high << 4) | low;
  }
  return true;
}

/** One flat string per id (a concatenated one would be a rope of 32 pieces, ~1.5 kB each). */
function encodeHex(table: Buffer, at: number): string {
  return table.toString("hex", at, at + DIGEST);
}
