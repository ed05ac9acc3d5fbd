// Audit-log entries are forwarded untouched; these helpers only read them, defensively.

/** One LogEntry as Crusoe sent it (unknown fields kept). */
export type AuditLogEntry = Record<string, unknown>;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Strict RFC3339 → epoch ms (fraction truncated to ms); undefined when it is not RFC3339. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 31 Feb into March: reject dates that do not exist.
  if (new Date(utc).getUTCDate() !== d) return undefined;
  const offset = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  return utc - offset;
}

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
