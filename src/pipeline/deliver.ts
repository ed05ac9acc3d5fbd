// Entries in, settled events out: compute ids, drop what was delivered before, batch, send
// with a bounded number of batches in flight, and commit each batch's outcome in order.
// Ids are committed only after the sink accepted (or dead-lettered) them.
import { type AuditLogEntry, eventTimeMs, parseRfc3339 } from "../crusoe/entry.ts";
import type { PageItems } from "../crusoe/response.ts";
import { createBatcher } from "../hec/batcher.ts";
import { type EnvelopeMeta, envelopeWriter } from "../hec/envelope.ts";
import { fields, logger } from "../log.ts";
import { collectGarbage } from "../runtime/gc.ts";
import type { SendResult, Sink, SinkEvent, SinkFailure } from "../sinks/types.ts";
import { canonicalBytes } from "../state/canonical-text.ts";
import { appendDeadLetters, DEAD_LETTER_HINT, deadLetterRecord } from "../state/dead-letter.ts";
import type { DedupSet, DedupStore } from "../state/dedup.ts";
import { canonicalJson, hashCanonical } from "../state/event-id.ts";
import { CommitQueue } from "./commit-queue.ts";
import type { RunCounts } from "./counts.ts";

/**
 * Paced full collections keep peak memory flat in the run's length (see runtime/gc.ts).
 * Measured on 400k events (JSC's full GC): every 5k events peaks at ~125 MB against ~141 MB
 * every 10k and ~163 MB every 20k, and costs no more CPU: less garbage is less memory for the
 * allocator to fault in. Every 2.5k was the same; every 1k (each page) cost ~30 % more CPU.
 * Never collecting peaks at ~200 MB. Pacing by the resident set was worse: freed memory the
 * allocator keeps makes it ratchet up.
 */
const COLLECT_EVERY_EVENTS = 5_000;

function endTimeMs(entry: AuditLogEntry): number | undefined {
  return typeof entry.end_time === "string" ? parseRfc3339(entry.end_time) : undefined;
}

export interface DeliveryDeps {
  sink: Sink;
  meta: EnvelopeMeta;
  counts: RunCounts;
  deadLetterFile: string;
  /** Undefined when dedup is disabled. */
  dedup?: { store: DedupStore; set: DedupSet };
  /** Set once the lock lease is lost: another run may be writing the same documents. */
  leaseLost?: () => string | undefined;
  now: () => number;
}

export type Failure = SinkFailure;

interface InFlight {
  batch: SinkEvent[];
  result: Promise<SendResult>;
}

export class Delivery {
  private readonly batcher;
  private readonly inFlight: InFlight[] = [];
  /** Ids sent (or queued) in this run but not yet committed: a repeat on a later page is skipped. */
  private readonly pending = new Set<string>();
  /** Settled batches waiting for their ids to be written (bounded: see CommitQueue). */
  private readonly commits: CommitQueue<{ id: string; timeMs: number }> | undefined;
  failure: Failure | undefined;
  private sinceCollection = 0;
  private readonly envelope;

  constructor(private readonly deps: DeliveryDeps) {
    this.envelope = envelopeWriter(deps.meta);
    this.batcher = createBatcher({
      maxEvents: deps.sink.maxBatchEvents,
      maxBytes: deps.sink.maxBatchBytes,
    });
    const dedup = deps.dedup;
    if (dedup) {
      const write = async (events: { id: string; timeMs: number }[]) => {
        // After a lost lease another run may be writing the same documents: write nothing.
        if (deps.leaseLost?.()) return;
        await dedup.store.commit(dedup.set, events);
        logger.debug("dedup ids committed", fields({ ids: events.length }));
      };
      this.commits = new CommitQueue(write, deps.sink.maxInFlight);
    }
  }

  async addPage(entries: PageItems): Promise<void> {
    const { counts, dedup } = this.deps;
    counts.fetched += entries.length;
    this.sinceCollection += entries.length;
    if (this.sinceCollection >= COLLECT_EVERY_EVENTS) {
      this.sinceCollection = 0;
      collectGarbage();
    }
    for (let at = 0; at < entries.length; at++) {
      const entry = entries[at] as AuditLogEntry;
      // A lost lease: another run owns the stream now, so nothing more is sent from here.
      if (this.failure || this.deps.leaseLost?.()) return;
      // The entry's own text when the page allowed cutting it out: forwarded untouched, and
      // its canonical form is read off it rather than serialised again.
      const text = entries.json?.[at];
      const bytes = text === undefined ? undefined : canonicalBytes(text);
      const id = hashCanonical(bytes ?? canonicalJson(entry));
      const startMs = eventTimeMs(entry);
      // Dedup needs a time that is the same on every run: end_time when start_time is missing.
      const timeMs = startMs ?? endTimeMs(entry) ?? this.deps.now();
      const seen = this.pending.has(id) || dedup?.set.has(id, timeMs);
      // Synchronous once the hour is loaded: no await (and no microtask) per entry.
      if (seen === true || (seen instanceof Promise && (await seen))) {
        counts.duplicates++;
        continue;
      }
      if (startMs === undefined) {
        counts.missingTime++;
        logger.warn(`entry ${id.slice(0, 12)} has no parseable start_time: sent with ingest time`);
      }
      this.pending.add(id);
      const event = this.envelope(
        text ?? JSON.stringify(entry),
        id,
        timeMs,
        startMs ?? this.deps.now(),
      );
      const batch = this.batcher.add(event);
      if (batch) await this.dispatch(batch);
    }
  }

  /**
   * A new chunk starts here: hours that end before it are dropped from memory (a busy hour's ids
   * are tens of MB). Its entries fall in its own hours; one that does not (a late entry) still
   * finds its hour, read back from the store.
   */
  startChunk(startMs: number): void {
    this.deps.dedup?.set.forgetBefore(startMs);
  }

  /** Send what is batched and wait until every batch is settled (a chunk boundary). */
  async flush(): Promise<void> {
    const rest = this.batcher.drain();
    if (rest && !this.failure) await this.dispatch(rest);
    await this.settleAll();
  }

  /** Graceful stop: settle batches already sent, drop what was not sent yet (it is re-read later). */
  async settleAll(): Promise<void> {
    while (this.inFlight.length) await this.settleOldest();
    await this.commits?.drain();
  }

  private async dispatch(batch: SinkEvent[]): Promise<void> {
    // Ids in the dedup store: Splunk accepted events of this stream, so a lone rejection is poison.
    const streamAccepted = (this.deps.dedup?.set.size ?? 0) > 0;
    this.inFlight.push({ batch, result: this.deps.sink.send(batch, { streamAccepted }) });
    while (this.inFlight.length >= this.deps.sink.maxInFlight) await this.settleOldest();
  }

  private async settleOldest(): Promise<void> {
    const head = this.inFlight.shift();
    if (!head) return;
    const result = await head.result;
    const { counts } = this.deps;
    counts.retries += result.retries;
    counts.possibleDuplicates += result.possibleDuplicates;
    const deadLettered = await this.writeDeadLetters(result);
    // Ids Splunk accepted are committed even when the batch failed: they must never be resent.
    const events = settledEvents(head.batch, result.delivered, deadLettered);
    const forget = () => {
      for (const event of head.batch) this.pending.delete(event.id);
    };
    if (this.commits && events.length) await this.commits.add({ events, done: forget });
    else forget();
    counts.delivered += result.delivered.length;
    counts.deadLettered += deadLettered.length;
    if (result.failure && !this.failure) this.failure = result.failure;
  }

  /** The dead letters that reached the file; none when it cannot be written (the run fails). */
  private async writeDeadLetters(result: SendResult): Promise<SendResult["deadLettered"]> {
    const file = this.deps.deadLetterFile;
    if (result.deadLettered.length === 0) return [];
    const at = new Date(this.deps.now()).toISOString();
    try {
      await appendDeadLetters(
        file,
        result.deadLettered.map((dead) => deadLetterRecord(dead, at)),
      );
    } catch (error) {
      // Not set aside, so not settled: the poison event stays uncommitted and is tried again.
      const why = (error as { code?: string }).code ?? (error as Error).message;
      this.failure ??= {
        message: `cannot write the dead-letter file DEAD_LETTER_FILE=${file} (${why}): ${result.deadLettered.length} rejected event(s) not set aside`,
        hint: `${DEAD_LETTER_HINT}; events Splunk accepted are recorded and not sent again, the rejected ones are retried on the next run`,
      };
      return [];
    }
    logger.warn(
      `${result.deadLettered.length} event(s) dead-lettered to ${file}: ${result.deadLettered[0]?.reason}`,
    );
    return result.deadLettered;
  }
}

/** The batch's events Splunk accepted or that were dead-lettered, in batch order. */
function settledEvents(
  batch: SinkEvent[],
  delivered: string[],
  deadLettered: SendResult["deadLettered"],
): SinkEvent[] {
  // The usual case, every event accepted: the sender reports each event of the batch once.
  if (delivered.length === batch.length && deadLettered.length === 0) return batch;
  const settled = new Set([...delivered, ...deadLettered.map((dead) => dead.id)]);
  return batch.filter((event) => settled.has(event.id));
}
