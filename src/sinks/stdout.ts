// `--sink stdout`: the same envelopes as NDJSON on stdout, for pipes and testing without Splunk.
import type { SendResult, Sink, SinkFailure } from "./types.ts";

type Write = (chunk: string) => void | Promise<void>;

/** `| head -1`: the reader is gone. Not a fault of the run, a request to stop. */
function isClosedPipe(error: unknown): boolean {
  return (error as { code?: string }).code === "EPIPE";
}

let errorsHandled = false;

/** Writes to process.stdout and waits for the pipe to take it (backpressure, EPIPE). */
export function writeStdout(chunk: string): Promise<void> {
  // The write's callback reports the error; without a listener the stream's "error" event
  // would also print a multi-line error object.
  if (!errorsHandled) process.stdout.on("error", () => {});
  errorsHandled = true;
  return new Promise((resolve, reject) => {
    try {
      process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err); // a synchronous pipe write can throw instead
    }
  });
}

/** Why a write failed, as a sink failure; a closed pipe is marked so the run stops quietly. */
export function writeFailure(err: unknown): SinkFailure {
  if (isClosedPipe(err))
    return {
      message: "stdout was closed by its reader (EPIPE): stopping",
      hint: "events written before the pipe closed count as delivered; a rerun continues from there",
      closed: true,
    };
  const why = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
  return { message: `cannot write to stdout: ${why}` };
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
          return { ...result, failure: writeFailure(err) };
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
