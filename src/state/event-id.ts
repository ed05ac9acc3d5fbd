// Event identity (DESIGN.md "Semantics users rely on"): SHA-256 of the canonical JSON, so two
// entries that differ in any field are different events, whatever order the API lists keys in.
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level; otherwise exactly what JSON.stringify writes.
 * Written in one pass (no sorted copy of the entry is built): ids must stay byte-identical to
 * `JSON.stringify(sortKeys(value))`, which test/state/identity.test.ts checks on varied input.
 */
export function canonicalJson(value: unknown): string {
  return writeValue(value, true) ?? "null";
}

/** SHA-256 hex of the entry's canonical JSON. */
export function eventId(entry: unknown): string {
  return hashCanonical(canonicalJson(entry));
}

/** SHA-256 hex of an already canonical serialisation. */
export function hashCanonical(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex");
}

/** undefined where JSON.stringify would leave the value out (undefined, functions, symbols). */
function writeValue(value: unknown, inArray: boolean): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    case "bigint":
      return JSON.stringify(value); // throws, as JSON.stringify does
    default:
      return inArray ? "null" : undefined;
  }
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return writeValue(json.call(value), inArray);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += writeValue(value[i], true) ?? "null";
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = orderKeys(Object.keys(record).sort());
  let out = "{";
  let first = true;
  for (const key of keys) {
    const text = writeValue(record[key], false);
    if (text === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The key order ids were first defined with: sorted keys assigned to a fresh object. An engine
 * lists integer-like keys ("2" before "10") first and drops a "__proto__" key there; rebuild
 * that object only when such a key occurs, so ids stay byte-identical.
 */
function orderKeys(sorted: string[]): string[] {
  let unusual = false;
  for (const key of sorted) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === "__proto__") {
      unusual = true;
      break;
    }
  }
  if (!unusual) return sorted;
  const shaped: Record<string, unknown> = {};
  for (const key of sorted) shaped[key] = 0;
  return Object.keys(shaped);
}
