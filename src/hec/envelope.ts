// HEC envelopes: one JSON object per event with only the keys Splunk knows. Any other top-level
// key makes Splunk silently drop that object and every one after it (docs/splunk-hec.md).

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
  const index = meta.index ? `,"index":${JSON.stringify(meta.index)}` : "";
  return (
    `{"time":${formatHecTime(timeMs)},"host":${JSON.stringify(meta.host)}` +
    `,"source":${JSON.stringify(meta.source)},"sourcetype":${JSON.stringify(meta.sourcetype)}` +
    `${index},"fields":{"crusoe_event_id":${JSON.stringify(id)}},"event":${JSON.stringify(event)}}`
  );
}
