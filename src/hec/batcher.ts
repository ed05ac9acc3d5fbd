// Cuts a stream of events into batches by count and uncompressed UTF-8 bytes (each line + "\n").
import { Buffer } from "node:buffer";
import type { SinkEvent } from "../sinks/types.ts";

export interface Batcher {
  /** Returns the batch that closed, if adding ev closed one. */
  add(ev: SinkEvent): SinkEvent[] | undefined;
  /** Returns what is left, if anything. */
  drain(): SinkEvent[] | undefined;
}

export function lineBytes(ev: SinkEvent): number {
  return ev.bytes ?? Buffer.byteLength(ev.line, "utf8") + 1;
}

export function createBatcher(limits: { maxEvents: number; maxBytes: number }): Batcher {
  let current: SinkEvent[] = [];
  let bytes = 0;
  const take = () => {
    const out = current;
    current = [];
    bytes = 0;
    return out;
  };
  return {
    add(ev) {
      const size = lineBytes(ev);
      // A byte overflow closes the batch before ev; an event too big alone still travels alone
      // (the sender dead-letters it if Splunk refuses it).
      const closed = current.length > 0 && bytes + size > limits.maxBytes ? take() : undefined;
      current.push(ev);
      bytes += size;
      if (current.length >= limits.maxEvents) return closed ?? take();
      return closed;
    },
    drain() {
      return current.length > 0 ? take() : undefined;
    },
  };
}

/** Splits an arbitrary batch into pieces that respect the limits. */
export function splitByLimits(
  batch: SinkEvent[],
  limits: { maxEvents: number; maxBytes: number },
): SinkEvent[][] {
  const batcher = createBatcher(limits);
  const out: SinkEvent[][] = [];
  for (const ev of batch) {
    const closed = batcher.add(ev);
    if (closed) out.push(closed);
  }
  const rest = batcher.drain();
  if (rest) out.push(rest);
  return out;
}
