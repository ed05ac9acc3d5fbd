// --dry-run: the real fetch and dedup check, but a sink that sends nothing (it shows the
// first envelopes on stdout) and a store that changes nothing.
import { writeFailure, writeStdout } from "../sinks/stdout.ts";
import type { Sink, SinkEvent } from "../sinks/types.ts";
import type { StateStore } from "../state/store.ts";

const SHOWN = 5;

export function createDryRunSink(
  limits: { batchSize: number; maxBatchBytes: number },
  write: (text: string) => void | Promise<void> = writeStdout,
): Sink {
  let shown = 0;
  return {
    maxBatchEvents: limits.batchSize,
    maxBatchBytes: limits.maxBatchBytes,
    maxInFlight: 1,
    async send(batch: SinkEvent[]) {
      const lines = batch.slice(0, Math.max(0, SHOWN - shown)).map((event) => `${event.line}\n`);
      shown += lines.length;
      try {
        if (lines.length) await write(lines.join(""));
      } catch (err) {
        const none = { delivered: [], deadLettered: [], retries: 0, possibleDuplicates: 0 };
        return { ...none, failure: writeFailure(err) };
      }
      return {
        delivered: batch.map((event) => event.id),
        deadLettered: [],
        retries: 0,
        possibleDuplicates: 0,
      };
    },
    async close() {},
  };
}

export function readOnlyStore(store: StateStore): StateStore {
  return {
    ...store,
    dedup: {
      ...store.dedup,
      load: store.dedup.load.bind(store.dedup),
      stats: store.dedup.stats.bind(store.dedup),
      commit: async () => {},
    },
    checkpoints: {
      get: store.checkpoints.get.bind(store.checkpoints),
      getRange: store.checkpoints.getRange.bind(store.checkpoints),
      set: async () => {},
      setRange: async () => {},
    },
    status: { read: store.status.read.bind(store.status), write: async () => {} },
  };
}
