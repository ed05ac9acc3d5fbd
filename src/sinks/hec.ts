// The HEC sink: wires transport, HTTP slots, acks and the per-batch sender behind Sink.
import type { HecConfig } from "../config/types.ts";
import { createAckTracker } from "../hec/ack.ts";
import { createSemaphore } from "../hec/semaphore.ts";
import { type SenderState, sendBatch } from "../hec/sender.ts";
import { createTransport } from "../hec/transport.ts";
import { logger } from "../log.ts";
import type { Sink } from "./types.ts";

export interface HecSinkOptions {
  /** First retry delay (default 1000 ms); doubles per attempt up to retryMaxMs. */
  retryBaseMs?: number;
  /** Longest delay between retries (default 30 000 ms). */
  retryMaxMs?: number;
  /** Overall time one send() may take before it gives up (default 10 min; ack mode: longer). */
  deadlineMs?: number;
  now?: () => number;
}

/** Batches waiting for acks don't hold an HTTP slot, so many more may be outstanding. */
const ACK_IN_FLIGHT_FACTOR = 16;

export function createHecSink(config: HecConfig, options: HecSinkOptions = {}): Sink {
  const now = options.now ?? Date.now;
  const transport = createTransport(config, now);
  const slots = createSemaphore(Math.max(1, config.concurrency));
  const ackTimeoutMs = config.ackTimeoutSeconds * 1000;
  const state: SenderState = {
    config,
    transport,
    ackOn: config.ack,
    pauseUntil: 0,
    warned: new Set(),
    retryBaseMs: options.retryBaseMs ?? 1000,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    deadlineMs:
      options.deadlineMs ??
      (config.ack ? ackTimeoutMs * (config.maxRetries + 1) + 60_000 : 600_000),
    now,
    withSlot: (task) => slots.run(task),
    turnAckOff: () => {
      state.ackOn = false;
      state.acks?.disable();
    },
  };
  if (config.ack) {
    state.acks = createAckTracker({
      transport,
      pollMs: config.ackPollSeconds * 1000,
      timeoutMs: ackTimeoutMs,
      now,
      withSlot: state.withSlot,
      onDisabled: () => {
        logger.warn(
          "Splunk HEC: indexer acknowledgement is disabled on this token (code 14): turning ack off, a 200 now counts as delivered",
        );
        state.warned.add("code14");
        state.turnAckOff();
      },
    });
  }
  const concurrency = Math.max(1, config.concurrency);
  return {
    maxBatchEvents: config.batchSize,
    maxBatchBytes: config.maxBatchBytes,
    maxInFlight: config.ack ? concurrency * ACK_IN_FLIGHT_FACTOR : concurrency,
    send: (batch, context) => sendBatch(state, batch, context),
    async close() {
      state.acks?.close();
      transport.close();
    },
  };
}
