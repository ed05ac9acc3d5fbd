// HEC envelopes: one JSON object per event with only the keys Splunk knows. Any other top-level
// key makes Splunk silently drop that object and every one after it (docs/splunk-hec.md).
import { Buffer } from "node:buffer";
import type { SinkEvent } from "../sinks/types.ts";

export interface EnvelopeMeta {
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
}

/** Epoch seconds with millisecond precision: 1725380856954 → 1725380856.954. */
export function formatHecTime(timeMs: number): number {
  return Math.round(timeMs) / 1000;
}

/**
 * One NDJSON line (no newline). Built by concatenation rather than an object literal so key order
 * is fixed and the event is serialized exactly once, untouched.
 */
export function buildEnvelopeLine(
  event: unknown,
  id: string,
  timeMs: number,
  meta: EnvelopeMeta,
): string {
  return envelopeWriter(meta)(JSON.stringify(event), id, timeMs, timeMs).line;
}

/**
 * An event whose line is kept in two pieces, the envelope's head and the event's JSON: the body
 * encoder (hec/body.ts) writes the pieces, so the line is never copied into one string.
 */
export class EnvelopeEvent implements SinkEvent {
  constructor(
    readonly id: string,
    readonly timeMs: number,
    readonly head: string,
    readonly json: string,
    readonly bytes: number,
  ) {}

  get line(): string {
    return `${this.head}${this.json}}`;
  }
}

const EVENT_KEY = '},"event":';

/**
 * The event builder for one meta: its keys are serialised once here, not once per event.
 * `eventJson` is the event as JSON; `timeMs` is the dedup time, `hecTimeMs` the envelope's.
 */
export function envelopeWriter(
  meta: EnvelopeMeta,
): (eventJson: string, id: string, timeMs: number, hecTimeMs: number) => EnvelopeEvent {
  const index = meta.index ? `,"index":${JSON.stringify(meta.index)}` : "";
  const middle =
    `,"host":${JSON.stringify(meta.host)},"source":${JSON.stringify(meta.source)}` +
    `,"sourcetype":${JSON.stringify(meta.sourcetype)}${index},"fields":{"crusoe_event_id":`;
  const middleBytes = Buffer.byteLength(middle);
  return (eventJson, id, timeMs, hecTimeMs) => {
    const time = `{"time":${formatHecTime(hecTimeMs)}`;
    const idJson = JSON.stringify(id);
    const head = `${time}${middle}${idJson}${EVENT_KEY}`;
    // The head, the event, the closing brace and the newline; the time and EVENT_KEY are ASCII.
    const headBytes = time.length + middleBytes + Buffer.byteLength(idJson) + EVENT_KEY.length;
    const bytes = headBytes + Buffer.byteLength(eventJson) + 2;
    return new EnvelopeEvent(id, timeMs, head, eventJson, bytes);
  };
}
