// Event identity (DESIGN.md "Semantics users rely on"): SHA-256 of the canonical JSON, so two
// entries that differ in any field are different events, whatever order the API lists keys in.
import { sha256Hex } from "../runtime/sha256.ts";

/**
 * JSON with object keys sorted at every level; otherwise exactly what JSON.stringify writes.
 * A sorted copy then one native stringify: measured cheaper in Bun than a hand-written
 * serialiser or JSON.stringify with a key list (and trivially byte-identical to the ids already
 * stored). The pipeline reads most entries' canonical form off their text instead
 * (canonical-text.ts); this is the definition, and the path for what that declines.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

/** SHA-256 hex of the entry's canonical JSON. */
export function eventId(entry: unknown): string {
  return hashCanonical(canonicalJson(entry));
}

/** SHA-256 hex of an already canonical serialisation (a string, or its UTF-8 bytes). */
export function hashCanonical(canonical: string | Uint8Array): string {
  return sha256Hex(canonical);
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
