// The one RFC 3339 parser: strict for what servers and state files say, with a UTC reading of
// dates and offset-less times for what operators type.
import { expect, setDefaultTimeout, test } from "bun:test";
import { formatIso, parseRfc3339, parseTimeInput } from "../src/time.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

test("RFC 3339 with Z, offsets and fractions", () => {
  expect(parseRfc3339("2028-02-29T23:59:59Z")).toBe(Date.UTC(2028, 1, 29, 23, 59, 59));
  expect(parseRfc3339("2026-06-01T10:00:00-01:30")).toBe(Date.UTC(2026, 5, 1, 11, 30));
  expect(parseRfc3339("2026-06-01t10:00:00.5z")).toBe(Date.UTC(2026, 5, 1, 10, 0, 0, 500));
});

test.each([
  "2026-02-29T00:00:00Z", // not a leap year
  "2026-02-30T00:00:00Z",
  "2026-04-31T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-06-01T25:00:00Z",
  "2026-06-01T10:00:00+24:00",
  "2026-06-01T10:00:00",
  "2026-06-01",
  "0099-06-01T00:00:00Z",
  "yesterday",
  "",
])("parseRfc3339(%p) is undefined: never rolled over, never guessed", (text) => {
  expect(parseRfc3339(text)).toBeUndefined();
});

test("operator input: RFC 3339 as is; a date or an offset-less time as UTC", () => {
  expect(parseTimeInput("2026-06-01T10:00:00+02:00")).toEqual({
    ms: Date.UTC(2026, 5, 1, 8),
    assumedUtc: false,
  });
  expect(parseTimeInput(" 2026-11-29 ")).toEqual({ ms: Date.UTC(2026, 10, 29), assumedUtc: true });
  expect(parseTimeInput("2026-11-29T10:30")).toEqual({
    ms: Date.UTC(2026, 10, 29, 10, 30),
    assumedUtc: true,
  });
  expect(parseTimeInput("2026-11-29 10:30:15.250")).toEqual({
    ms: Date.UTC(2026, 10, 29, 10, 30, 15, 250),
    assumedUtc: true,
  });
  for (const bad of ["2026-02-30", "2026-11-29T10", "tomorrow", "1732838400", "2026-11-29T10:61"])
    expect(parseTimeInput(bad)).toBeUndefined();
});

test("formatIso writes what parseRfc3339 reads back, and leaves undefined undefined", () => {
  const ms = Date.UTC(2026, 5, 1, 10, 0, 0, 500);
  expect(formatIso(ms)).toBe("2026-06-01T10:00:00.500Z");
  expect(parseRfc3339(formatIso(ms) ?? "")).toBe(ms);
  expect(formatIso(undefined)).toBeUndefined();
});
