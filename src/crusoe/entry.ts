// Audit-log entries are forwarded untouched; these helpers only read them, defensively.
import { parseRfc3339 } from "../time.ts";

// Re-exported: the deliverer and the emulator read entry times through this module.
export { parseRfc3339 };

/** One LogEntry as Crusoe sent it (unknown fields kept). */
export type AuditLogEntry = Record<string, unknown>;

/** The event time: `start_time` in ms; undefined if missing or unparseable (caller counts it). */
export function eventTimeMs(entry: AuditLogEntry): number | undefined {
  const v = entry.start_time;
  return typeof v === "string" ? parseRfc3339(v) : undefined;
}

/**
 * A list field (`locations`, `target_ids`, `target_names`) as strings: the spec sends arrays,
 * Crusoe's docs show strings like "[my-vm]" or "[a b]"; accept both shapes.
 */
export function listField(entry: AuditLogEntry, name: string): string[] {
  const v = entry[name];
  if (Array.isArray(v)) return v.filter((x) => typeof x === "string");
  if (typeof v !== "string") return [];
  const inner = v.trim().replace(/^\[/, "").replace(/\]$/, "").trim();
  return inner === "" ? [] : inner.split(/[\s,]+/).filter(Boolean);
}
