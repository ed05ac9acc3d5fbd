// Delivers one batch through HEC and says exactly which events were delivered or dead-lettered.
// Pieces are worked front to back on a stack: a poison answer or a split replaces the front
// piece with what is left of it, so every event is sent until it is settled, and only once
// after it was accepted.
import type { HecConfig } from "../config/types.ts";
import { logger } from "../log.ts";
import { observeRequest, observeRetry } from "../metrics/observe.ts";
import type { DeadLetter, SendContext, SendResult, SinkEvent } from "../sinks/types.ts";
import { computeBackoff, sleep } from "../wait.ts";
import type { AckTracker } from "./ack.ts";
import { splitByLimits } from "./batcher.ts";
import { encodeBody } from "./body.ts";
import { classifyAnswer, describeGiveUp, type HecAnswer } from "./codes.ts";
import { judgeRejections } from "./poison.ts";
import type { HecTransport } from "./transport.ts";

export interface SenderState {
  config: HecConfig;
  transport: HecTransport;
  acks?: AckTracker;
  ackOn: boolean;
  /** Sticky stop (bad token, bad URL): later batches fail at once without a request. */
  stopped?: { message: string; hint?: string };
  /** Splunk accepted an event through this sink: evidence that a lone rejection is poison. */
  acceptedAny?: boolean;
  /** Codes 24/25 ask us to slow down. */
  pauseUntil: number;
  warned: Set<string>;
  retryBaseMs: number;
  retryMaxMs: number;
  deadlineMs: number;
  /** A Retry-After beyond this fails the batch at once (the next run resends it). */
  maxRetryAfterMs: number;
  /** A stop (SIGTERM/SIGINT): no new request starts and no wait goes on. */
  signal?: AbortSignal;
  now: () => number;
  withSlot: <T>(task: () => Promise<T>) => Promise<T>;
  turnAckOff: () => void;
}

export async function sendBatch(
  state: SenderState,
  batch: SinkEvent[],
  context: SendContext = {},
): Promise<SendResult> {
  const result: SendResult = { delivered: [], deadLettered: [], retries: 0, possibleDuplicates: 0 };
  if (batch.length === 0) return result;
  const limits = { maxEvents: state.config.batchSize, maxBytes: state.config.maxBatchBytes };
  const stack = splitByLimits(batch, limits).reverse();
  const deadline = state.now() + state.deadlineMs;
  const deliver = (events: SinkEvent[]) => {
    for (const ev of events) result.delivered.push(ev.id);
    if (events.length > 0) state.acceptedAny = true;
  };
  // Rejections are judged once the whole batch is worked (poison.ts): poison or a setting.
  const rejected: DeadLetter[] = [];
  const deadLetter = (ev: SinkEvent, reason: string, code?: number) => {
    const letter: DeadLetter = { id: ev.id, reason, line: ev.line };
    if (code !== undefined) letter.code = code;
    rejected.push(letter);
  };
  let attempt = 0;
  let ackResends = 0;

  const stopped = () => ({ ...result, failure: STOPPED });
  while (stack.length > 0) {
    if (state.stopped) return { ...result, failure: state.stopped };
    if (state.signal?.aborted) return stopped();
    const piece = stack.pop() as SinkEvent[];
    const wait = state.pauseUntil - state.now();
    if (wait > 0 && !(await sleep(wait, state.signal))) return stopped();
    const ackOn = state.ackOn;
    let bytes = 0;
    const answer = await state.withSlot(() => {
      // Encoded into a shared buffer: only once the slot is ours, right before it is sent.
      const body = encodeBody(piece);
      bytes = body.byteLength;
      return timed(() => state.transport.postEvents(body));
    });
    const verdict = classifyAnswer(answer, piece.length, bytes, ackOn);

    switch (verdict.kind) {
      case "ok": {
        attempt = 0;
        if (verdict.slowDown) state.pauseUntil = state.now() + state.retryBaseMs;
        if (ackOn && state.acks && answer.ackId === undefined) {
          warnOnce(
            state,
            "noAckId",
            "HEC answered without an ackId: indexer acknowledgement looks off for this token; counting 200 as delivered",
          );
          state.turnAckOff();
        } else if (ackOn && state.acks && answer.ackId !== undefined) {
          const outcome = await state.acks.wait(answer.ackId);
          if (outcome === "closed") {
            return {
              ...result,
              failure: { message: "the HEC sink closed before Splunk acknowledged the batch" },
            };
          }
          if (outcome === "timeout") {
            ackResends++;
            result.possibleDuplicates += piece.length;
            if (ackResends > state.config.maxRetries || state.now() > deadline) {
              const message = `Splunk never acknowledged the batch after ${ackResends} resends`;
              return {
                ...result,
                failure: {
                  message,
                  hint: "check the indexers' health and the load balancer's stickiness",
                },
              };
            }
            stack.push(piece);
            continue;
          }
        }
        deliver(piece);
        continue;
      }
      case "poison": {
        attempt = 0;
        const bad = piece[verdict.bad] as SinkEvent;
        deliver(piece.slice(0, verdict.bad));
        deadLetter(bad, verdict.reason, answer.code);
        const rest = piece.slice(verdict.bad + 1);
        if (rest.length > 0) stack.push(rest);
        continue;
      }
      case "bisect":
      case "split": {
        attempt = 0;
        if (piece.length === 1) {
          const why =
            verdict.kind === "split" ? `too big alone: ${verdict.reason}` : verdict.reason;
          deadLetter(piece[0] as SinkEvent, why, answer.code);
          continue;
        }
        const half = Math.ceil(piece.length / 2);
        stack.push(piece.slice(half), piece.slice(0, half));
        continue;
      }
      case "ackDisabled": {
        warnOnce(
          state,
          "code14",
          "Splunk HEC: indexer acknowledgement is disabled on this token (code 14): turning ack off, a 200 now counts as delivered",
        );
        state.turnAckOff();
        stack.push(piece);
        continue;
      }
      case "stop": {
        deliver(piece.slice(0, verdict.indexed ?? 0));
        const message =
          answer.code === 7 ? describeBadIndex(piece[0] as SinkEvent, answer) : verdict.message;
        const failure = verdict.hint ? { message, hint: verdict.hint } : { message };
        if (verdict.sticky) state.stopped = failure;
        return { ...result, failure };
      }
      case "retry": {
        deliver(piece.slice(0, verdict.resumeFrom));
        const rest = piece.slice(verdict.resumeFrom);
        if (verdict.resumeFrom > 0) attempt = 0;
        if (rest.length > 0) stack.push(rest);
        else continue;
        attempt++;
        const giveUp = retryDelay(state, answer, attempt, deadline, verdict.retryAfterMs);
        if (typeof giveUp !== "number") return { ...result, failure: giveUp };
        result.retries++;
        observeRetry("hec");
        if (!state.ackOn && (answer.status === 429 || answer.status >= 500))
          state.transport.recycle();
        logger.debug(`HEC ${verdict.reason}; retry ${attempt} in ${Math.round(giveUp)} ms`);
        if (!(await sleep(giveUp, state.signal))) return stopped();
      }
    }
  }
  const setting = judgeRejections({
    batchSize: batch.length,
    accepted: result.delivered.length,
    acceptedBefore: state.acceptedAny === true || context.streamAccepted === true,
    rejected,
  });
  if (setting) return { ...result, failure: setting };
  result.deadLettered.push(...rejected);
  return result;
}

const STOPPED = {
  message: "stopped before the rest of the batch was accepted by Splunk (the next run sends it)",
};

/** The delay before the next attempt, or why we give up (retries or the deadline exhausted). */
function retryDelay(
  state: SenderState,
  answer: HecAnswer,
  attempt: number,
  deadline: number,
  retryAfterMs: number | undefined,
): number | { message: string; hint?: string } {
  if (attempt > state.config.maxRetries) return describeGiveUp(answer, attempt - 1);
  const backoff = computeBackoff(attempt, state.retryBaseMs, state.retryMaxMs);
  const delay = retryAfterMs !== undefined ? Math.max(retryAfterMs, 0) : backoff;
  if (retryAfterMs !== undefined && retryAfterMs > state.maxRetryAfterMs) {
    const code = answer.code === undefined ? "" : ` code ${answer.code}`;
    return {
      message: `Splunk HEC (HTTP ${answer.status}${code}) asked to retry after ${Math.round(retryAfterMs / 1000)} s (Retry-After), longer than a run waits (${Math.round(state.maxRetryAfterMs / 1000)} s): stopping`,
      hint: "the events stay undelivered and are sent again on the next run",
    };
  }
  if (state.now() + delay > deadline) {
    const given = describeGiveUp(answer, attempt - 1);
    return { ...given, message: `${given.message} (delivery deadline reached)` };
  }
  return delay;
}

/** Code 7 names the index the token refused (every event carries the same one). */
function describeBadIndex(ev: SinkEvent, answer: HecAnswer): string {
  let index: unknown;
  try {
    index = (JSON.parse(ev.line) as { index?: unknown }).index;
  } catch {}
  const name =
    typeof index === "string"
      ? `index "${index}" (SPLUNK_INDEX)`
      : "the token's default index (SPLUNK_INDEX is not set)";
  return `Splunk HEC: ${name} is not allowed for this token (HTTP ${answer.status} code 7: ${answer.text ?? "Incorrect index"})`;
}

function warnOnce(state: SenderState, key: string, message: string): void {
  if (state.warned.has(key)) return;
  state.warned.add(key);
  logger.warn(message);
}

/** The request alone (not its wait for a slot), for request_duration_seconds{target="hec"}. */
async function timed<T>(send: () => Promise<T>): Promise<T> {
  const sentAt = performance.now();
  try {
    return await send();
  } finally {
    observeRequest("hec", (performance.now() - sentAt) / 1000);
  }
}
