// A stream is one org + filter set + sink; its short id namespaces every state key so several
// streams can share one state directory or Redis.
import type { AuditFilters } from "../config/types.ts";
import { sha256Hex } from "../runtime/sha256.ts";
import { canonicalJson } from "./event-id.ts";

/** What streamId returns: 12 hex digits (a directory name and a Redis key segment). */
export const STREAM_ID = /^[0-9a-f]{12}$/;

export function streamId(input: { orgId: string; filters: AuditFilters; sink: string }): string {
  const filters: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(input.filters)) {
    // Filter values are a set on the wire: order and repeats do not change what the API returns.
    const unique = [...new Set(values ?? [])].sort();
    if (unique.length > 0) filters[name] = unique;
  }
  const text = canonicalJson({ orgId: input.orgId, filters, sink: input.sink });
  return sha256Hex(text).slice(0, 12);
}
