// `--sink stdout`: the same envelopes as NDJSON on stdout, for pipes and testing without Splunk.
import type { SendResult, Sink } from "./types.ts";

type Write = (chunk: string) => void | Promise<void>;

/** Writes to process.stdout and waits for the pipe to take it (backpressure, EPIPE). */
function writeStdout(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

export function createStdoutSink(
  config: { batchSize: number; maxBatchBytes: number },
  write: Write = writeStdout,
): Sink {
  // One write at a time keeps batches whole and in order on the stream.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    maxBatchEvents: config.batchSize,
    maxBatchBytes: config.maxBatchBytes,
    maxInFlight: 1,
    send(batch) {
      const run = async (): Promise<SendResult> => {
        const result: SendResult = {
          delivered: [],
          deadLettered: [],
          retries: 0,
          possibleDuplicates: 0,
        };
        if (batch.length === 0) return result;
        try {
          await write(`${batch.map((e) => e.line).join("\n")}\n`);
        } catch (err) {
          const why =
            (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
          return { ...result, failure: { message: `cannot write to stdout: ${why}` } };
        }
        result.delivered = batch.map((e) => e.id);
        return result;
      };
      const next = tail.then(run);
      tail = next.catch(() => {});
      return next;
    },
    async close() {
      await tail;
    },
  };
}
