import { expect, setDefaultTimeout, test } from "bun:test";
import { eventTimeMs, listField } from "../../src/crusoe/entry.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

test("eventTimeMs reads start_time with milliseconds, offsets and nanoseconds", () => {
  expect(eventTimeMs({ start_time: "2024-08-24T05:25:30.954Z" })).toBe(
    Date.UTC(2024, 7, 24, 5, 25, 30, 954),
  );
  expect(eventTimeMs({ start_time: "2024-08-24T07:25:30+02:00" })).toBe(
    Date.UTC(2024, 7, 24, 5, 25, 30),
  );
  expect(eventTimeMs({ start_time: "2024-08-24T05:25:30.954123456Z" })).toBe(
    Date.UTC(2024, 7, 24, 5, 25, 30, 954),
  );
});

test.each([
  [{}],
  [{ start_time: "" }],
  [{ start_time: 1724477130 }],
  [{ start_time: "yesterday" }],
  [{ start_time: "2024-02-31T00:00:00Z" }],
  [{ start_time: "2024-08-24 05:25" }],
  [{ timestamp: "2024-08-24T05:25:30Z" }],
])("eventTimeMs(%p) is undefined, never ingest time", (entry) => {
  expect(eventTimeMs(entry)).toBeUndefined();
});

test("list fields come as arrays or as Crusoe's documented strings", () => {
  expect(listField({ target_names: ["a", "b"] }, "target_names")).toEqual(["a", "b"]);
  expect(listField({ target_names: "[my-vm]" }, "target_names")).toEqual(["my-vm"]);
  expect(listField({ locations: "[us-east1-a eu-iceland1-a]" }, "locations")).toEqual([
    "us-east1-a",
    "eu-iceland1-a",
  ]);
  expect(listField({ locations: "[]" }, "locations")).toEqual([]);
  expect(listField({}, "locations")).toEqual([]);
});
