// Event identity (DESIGN.md "Semantics users rely on"): SHA-256 of the canonical JSON, so two
// entries that differ in any field are different events, whatever order the API lists keys in.
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level; otherwise exactly what JSON.stringify writes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

/** SHA-256 hex of the entry's canonical JSON. */
export function eventId(entry: unknown): string {
  return createHash("sha256").update(canonicalJson(entry)).digest("hex");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return sortKeys(json.call(value));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}
