// The audit-log query for one window and the configured filters (pure).
import { AUDIT_FILTER_NAMES, type AuditFilters } from "../config/types.ts";
import { rfc3339Seconds } from "./sign.ts";

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/**
 * Query pairs for one page request. The API takes whole-second RFC3339 bounds, so the start is
 * floored and the end ceiled: the request never covers less than the window (dedup absorbs
 * the sub-second overlap with the neighbouring window).
 */
export function buildAuditQuery(
  window: TimeWindow,
  filters: AuditFilters,
  limit: number,
): [string, string][] {
  const pairs: [string, string][] = [
    ["start_time", rfc3339Seconds(Math.floor(window.startMs / 1000) * 1000)],
    ["end_time", rfc3339Seconds(Math.ceil(window.endMs / 1000) * 1000)],
    ["limit", String(limit)],
  ];
  for (const name of AUDIT_FILTER_NAMES) {
    const values = filters[name];
    // Each filter is ONE comma-joined value on the wire (its comma goes out as %2C).
    if (values && values.length > 0) pairs.push([name, values.join(",")]);
  }
  return pairs;
}
