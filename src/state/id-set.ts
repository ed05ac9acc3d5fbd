// Delivered ids held compactly: an event id is a SHA-256 in hex (64 characters, ~130-230 bytes
// as a string in a Set); here it is its 32-byte digest in one open-addressed table (~45-85 bytes
// an id), so an hour of a busy stream stays small. Anything that is not 64 lowercase hex
// characters (never produced by eventId, but a document may hold it) goes to a plain Set.

import { Buffer } from "node:buffer";

const DIGEST = 32;
const MIN_SLOTS = 1024;
const HEX = "0123456789abcdef";
/** char code -> nibble, 255 for anything that is not lowercase hex (every UTF-16 unit mapped). */
const NIBBLE = new Uint8Array(65536).fill(255);
for (let i = 0; i < 16; i++) NIBBLE[HEX.charCodeAt(i)] = i;

export class IdSet {
  private slots = MIN_SLOTS;
  private digests = new Uint8Array(MIN_SLOTS * DIGEST);
  private used = new Uint8Array(MIN_SLOTS);
  private count = 0;
  private others: Set<string> | undefined;
  /** Scratch for the id being looked up (everything here is synchronous). */
  private readonly probe = new Uint8Array(DIGEST);

  get size(): number {
    return this.count + (this.others?.size ?? 0);
  }

  has(id: string): boolean {
    if (!decodeInto(id, this.probe)) return this.others?.has(id) ?? false;
    return this.find(this.probe) >= 0;
  }

  /** Adds the id; false when it was there already. */
  add(id: string): boolean {
    if (!decodeInto(id, this.probe)) {
      this.others ??= new Set();
      if (this.others.has(id)) return false;
      this.others.add(id);
      return true;
    }
    if (this.find(this.probe) >= 0) return false;
    if ((this.count + 1) * 4 > this.slots * 3) this.grow();
    this.place(this.probe);
    this.count++;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    const table = Buffer.from(this.digests.buffer, 0, this.digests.byteLength);
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.used[slot]) yield encodeHex(table, slot * DIGEST);
    }
    if (this.others) yield* this.others;
  }

  /** Slot holding the digest, or -1. */
  private find(digest: Uint8Array): number {
    const mask = this.slots - 1;
    for (let slot = start(digest) & mask; this.used[slot]; slot = (slot + 1) & mask) {
      if (equalAt(this.digests, slot * DIGEST, digest)) return slot;
    }
    return -1;
  }

  private place(digest: Uint8Array): void {
    const mask = this.slots - 1;
    let slot = start(digest) & mask;
    while (this.used[slot]) slot = (slot + 1) & mask;
    this.used[slot] = 1;
    this.digests.set(digest, slot * DIGEST);
  }

  private grow(): void {
    const { digests, used, slots } = this;
    this.slots = slots * 2;
    this.digests = new Uint8Array(this.slots * DIGEST);
    this.used = new Uint8Array(this.slots);
    for (let slot = 0; slot < slots; slot++) {
      if (used[slot]) this.place(digests.subarray(slot * DIGEST, slot * DIGEST + DIGEST));
    }
  }
}

/** The digest's first four bytes: SHA-256 output is uniform, so they spread the slots. */
function start(digest: Uint8Array): number {
  return (
    ((digest[0] as number) << 24) |
    ((digest[1] as number) << 16) |
    ((digest[2] as number) << 8) |
    (digest[3] as number)
  );
}

function equalAt(table: Uint8Array, at: number, digest: Uint8Array): boolean {
  for (let i = 0; i < DIGEST; i++) if (table[at + i] !== digest[i]) return false;
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
