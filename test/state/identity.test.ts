import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
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
