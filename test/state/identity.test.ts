import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { canonicalJson, eventId } from "../../src/state/event-id.ts";
import { streamId } from "../../src/state/stream-id.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

describe("event id", () => {
  test("canonical JSON sorts keys at every level and keeps array order", () => {
    const entry = { b: 1, a: { d: [{ z: 1, y: 2 }, "x"], c: null }, e: "é\n" };
    expect(canonicalJson(entry)).toBe('{"a":{"c":null,"d":[{"y":2,"z":1},"x"]},"b":1,"e":"é\\n"}');
  });

  test("the id is the SHA-256 hex of the canonical JSON", () => {
    const entry = { start_time: "2024-05-01T12:00:00Z", action: "Create" };
    const expected = createHash("sha256")
      .update('{"action":"Create","start_time":"2024-05-01T12:00:00Z"}')
      .digest("hex");
    expect(eventId(entry)).toBe(expected);
  });

  test("key order does not change the id; any field change does", () => {
    const a = { id: "x", target: { name: "vm", type: "VM" }, result: "SUCCESS" };
    const b = { result: "SUCCESS", target: { type: "VM", name: "vm" }, id: "x" };
    expect(eventId(a)).toBe(eventId(b));
    expect(eventId({ ...a, result: "FAILURE" })).not.toBe(eventId(a));
    expect(eventId({ ...a, target: { ...a.target, name: "vm2" } })).not.toBe(eventId(a));
    expect(eventId({ ...a, extra: null })).not.toBe(eventId(a));
  });
});

/** The first definition of the canonical JSON (sorted copy, then JSON.stringify): ids must not move. */
function referenceCanonical(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v === null || typeof v !== "object") return v;
    const json = (v as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return sortKeys(json.call(v));
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort())
      sorted[key] = sortKeys((v as Record<string, unknown>)[key]);
    return sorted;
  };
  return JSON.stringify(sortKeys(value)) ?? "null";
}

describe("event id stays byte-identical to its first definition", () => {
  const referenceId = (v: unknown) =>
    createHash("sha256").update(referenceCanonical(v)).digest("hex");
  const odd: unknown[] = [
    { z: "ü€😀\u2028\ud800", a: 'tab\there "q" \\', é: 1, É: 2, "": 0 },
    { b: [{ d: 1, c: [{ f: null, e: [] }] }, "x", 3.5, -0, 1e21, 1e-7], a: {} },
    { 10: "ten", 2: "two", a: "letter", "01": "zero-one", "4294967295": "max", "-1": "neg" },
    JSON.parse('{"__proto__":{"x":1},"b":1,"a":2}'),
    JSON.parse('{"__proto__":5,"c":[1,{"__proto__":null}]}'),
    { u: undefined, f: () => 1, arr: [undefined, () => 1, Symbol("s")], n: Number.NaN },
    { when: new Date(Date.UTC(2024, 4, 1)), custom: { toJSON: () => ({ y: 1, x: 2 }) } },
    [3, { b: 1, a: 2 }],
    { constructor: "c", nested: { toString: "t", valueOf: 1, hasOwnProperty: [] }, other: {} },
    { b: { y: 1, x: { b: 2, a: 3 } }, a: [{ y: 0, b: 1 }, { x: 2 }], c: { x: 1, y: 2 } },
    "plain",
    42,
    null,
    undefined,
  ];
  test("on odd shapes: unicode, nesting, key order, integer-like keys, __proto__, undefined", () => {
    for (const value of odd) {
      expect(canonicalJson(value)).toBe(referenceCanonical(value));
      expect(eventId(value)).toBe(referenceId(value));
    }
  });
  test("on generated audit entries, whatever the key order", () => {
    const entries = generateAuditEntries(500, { startMs: 0, endMs: 3_600_000 });
    for (const entry of entries) {
      const reversed = Object.fromEntries(Object.entries(entry).reverse());
      expect(eventId(entry)).toBe(referenceId(entry));
      expect(eventId(reversed)).toBe(referenceId(entry));
    }
  });
});

describe("stream id", () => {
  const base = { orgId: "org-1", filters: { actions: ["Create", "Update"] }, sink: "hec" };

  test("is short, stable and ignores filter order and empty filters", () => {
    const id = streamId(base);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(streamId({ ...base, filters: { actions: ["Update", "Create"], surfaces: [] } })).toBe(
      id,
    );
  });

  test("org, filters and sink each make a different stream", () => {
    const id = streamId(base);
    expect(streamId({ ...base, orgId: "org-2" })).not.toBe(id);
    expect(streamId({ ...base, filters: { actions: ["Create"] } })).not.toBe(id);
    expect(streamId({ ...base, filters: { results: ["Create", "Update"] } })).not.toBe(id);
    expect(streamId({ ...base, sink: "stdout" })).not.toBe(id);
  });
});
