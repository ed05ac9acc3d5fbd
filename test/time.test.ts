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

/** The first definition (one regular expression), which the fast path must always agree with. */
function referenceRfc3339(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as number[];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const utc = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
  if (new Date(utc).getUTCDate() !== d || (y as number) < 100) return undefined;
  if (m[8]) return utc;
  const [hours, minutes] = [Number(m[10]), Number(m[11])];
  if (hours > 23 || minutes > 59) return undefined;
  return utc - (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

test("the fast path for Crusoe's own form agrees with the full parser, valid or not", () => {
  const fixed = [
    "2026-11-29T03:42:02Z",
    "2026-11-29T03:42:02.015Z",
    "2026-11-29T03:42:02.1Z",
    "2026-11-29T03:42:02.123456789Z",
    "2026-11-29T03:42:02.Z",
    "2024-02-29T23:59:60Z",
    "2024-02-28T23:59:60.5Z",
    "2024-06-15T12:00:60Z",
    "2023-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:60:00Z",
    "2024-01-01T00:00:61Z",
    "0099-01-01T00:00:00Z",
    "0100-01-01T00:00:00Z",
    "2024-01-01t00:00:00z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00+01:30",
    "2024-01-0xT00:00:00Z",
    "2024-01-01T00:00:00.1x2Z",
    "2024/01/01T00:00:00Z",
    // A character just outside '0'..'9' where a digit goes, or another separator in each place.
    "2024-01-0:T00:00:00Z",
    "2024-01-1/T00:00:00Z",
    "2024-01-01T00:00:00.1:2Z",
    "2024-01-01T00:00:00./2Z",
    "2024+01-01T00:00:00Z",
    "2024-01+01T00:00:00Z",
    "2024-01-01X00:00:00Z",
    "2024-01-01T00-00:00Z",
    "2024-01-01T00:00-00Z",
  ];
  const random = Array.from({ length: 5000 }, (_, n) => {
    const pad = (v: number, w: number) => String(v).padStart(w, "0");
    const r = (k: number) => Math.floor(Math.random() * k);
    const fraction = ["", ".", `.${r(10)}`, `.${pad(r(1000), 3)}`, `.${pad(r(1e6), 6)}`][n % 5];
    return `${pad(1990 + r(60), 4)}-${pad(r(14), 2)}-${pad(r(33), 2)}T${pad(r(25), 2)}:${pad(r(61), 2)}:${pad(r(62), 2)}${fraction}Z`;
  });
  for (const text of [...fixed, ...random])
    expect([text, parseRfc3339(text)]).toEqual([text, referenceRfc3339(text)]);
});
