// `replay-dead-letter`: send the dead-letter file's events again once their cause is fixed.
// Each envelope is rebuilt with today's settings (the index or sourcetype the operator just
// fixed), sent through the same sink (batching, codes, poison isolation), and the file is
// rewritten atomically after every batch: accepted events leave it, still-rejected ones stay
// with their new reason, unsent ones stay as they were. A crash repeats at most one batch.
import { readFile } from "node:fs/promises";
import { EXIT } from "../errors.ts";
import { buildEnvelopeLine, type EnvelopeMeta } from "../hec/envelope.ts";
import { logger } from "../log.ts";
import type { Sink, SinkEvent } from "../sinks/types.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import { deadLetterRecord } from "../state/dead-letter.ts";
import type { DedupSet, DedupStore } from "../state/dedup.ts";
import { emptyCounts } from "./counts.ts";
import type { RunReport } from "./run.ts";

export interface ReplayContext {
  file: string;
  sink: Sink;
  meta: EnvelopeMeta;
  /** Accepted ids are (re)committed so a later forward never sends them again. */
  dedup?: { store: DedupStore; set: DedupSet };
  now: () => number;
}

/** A line of the file: a record we can resend, or text we keep untouched (a torn line). */
type Line = { record: DeadLetterLine; event: SinkEvent } | { text: string };

interface DeadLetterLine {
  crusoe_event_id: string;
  envelope: { time?: unknown; event?: unknown };
  [key: string]: unknown;
}

export async function replayDeadLetters(ctx: ReplayContext): Promise<RunReport> {
  const counts = emptyCounts();
  const lines = await readLines(ctx);
  const pending = lines.filter(
    (line): line is Extract<Line, { event: SinkEvent }> => "event" in line,
  );
  counts.fetched = pending.length;
  if (pending.length === 0) {
    logger.info(`nothing to replay in ${ctx.file}`);
    return { outcome: "ok", exitCode: EXIT.ok, counts };
  }
  logger.info(`replaying ${pending.length} dead-lettered event(s) from ${ctx.file}`);
  const batchSize = Math.max(1, ctx.sink.maxBatchEvents);
  let kept = lines;
  for (let start = 0; start < pending.length; start += batchSize) {
    const batch = pending.slice(start, start + batchSize);
    const inBatch = new Set<Line>(batch);
    // Dead letters exist only because Splunk accepted other events of this stream.
    const result = await ctx.sink.send(
      batch.map((line) => line.event),
      { streamAccepted: true },
    );
    counts.retries += result.retries;
    const accepted = new Set(result.delivered);
    const rejected = new Map(result.deadLettered.map((dead) => [dead.id, dead]));
    const at = new Date(ctx.now()).toISOString();
    kept = kept.flatMap((line) => {
      if (!("event" in line) || !inBatch.has(line)) return [line];
      if (accepted.has(line.event.id)) return [];
      const dead = rejected.get(line.event.id);
      if (!dead) return [line];
      const record = deadLetterRecord(dead, at) as DeadLetterLine;
      return [{ record, event: line.event }];
    });
    if (accepted.size || rejected.size) await writeFileAtomic(ctx.file, render(kept));
    if (ctx.dedup && accepted.size) {
      const events = batch.filter((line) => accepted.has(line.event.id)).map((line) => line.event);
      await ctx.dedup.store.commit(ctx.dedup.set, events);
    }
    counts.delivered += accepted.size;
    counts.deadLettered += rejected.size;
    if (result.failure)
      return { outcome: "failed", exitCode: EXIT.failed, counts, failure: result.failure };
  }
  if (counts.deadLettered) {
    logger.warn(
      `${counts.deadLettered} event(s) still rejected: kept in ${ctx.file} with the new reason`,
    );
    return { outcome: "dead-lettered", exitCode: EXIT.deadLettered, counts };
  }
  return { outcome: "ok", exitCode: EXIT.ok, counts };
}

async function readLines(ctx: ReplayContext): Promise<Line[]> {
  let text: string;
  try {
    text = await readFile(ctx.file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const seen = new Set<string>();
  const lines: Line[] = [];
  text.split("\n").forEach((raw, n) => {
    if (raw.trim() === "") return;
    const record = parseRecord(raw);
    if (!record) {
      logger.warn(`${ctx.file} line ${n + 1} is not a dead-letter record: kept as it is`);
      lines.push({ text: raw });
      return;
    }
    // The same event dead-lettered twice (two runs before a fix) is sent once.
    if (seen.has(record.crusoe_event_id)) return;
    seen.add(record.crusoe_event_id);
    const timeMs = Math.round((record.envelope.time as number) * 1000);
    const line = buildEnvelopeLine(record.envelope.event, record.crusoe_event_id, timeMs, ctx.meta);
    lines.push({ record, event: { id: record.crusoe_event_id, timeMs, line } });
  });
  return lines;
}

function parseRecord(raw: string): DeadLetterLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const record = value as Partial<DeadLetterLine> | null;
  const envelope = record?.envelope;
  const ok =
    typeof record?.crusoe_event_id === "string" &&
    /^[0-9a-f]{64}$/.test(record.crusoe_event_id) &&
    typeof envelope === "object" &&
    envelope !== null &&
    typeof envelope.time === "number" &&
    Number.isFinite(envelope.time) &&
    envelope.event !== undefined &&
    envelope.event !== null;
  return ok ? (record as DeadLetterLine) : undefined;
}

function render(lines: Line[]): string {
  return lines
    .map((line) => `${"event" in line ? JSON.stringify(line.record) : line.text}\n`)
    .join("");
}
