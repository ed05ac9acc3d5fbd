import { describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  parseRangeBounds,
  parseRangeInput,
  planChunks,
  planForward,
} from "../../src/pipeline/plan.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const NOW = Date.parse("2026-06-01T12:00:00Z");
const base = { serverNowMs: NOW, lookbackSeconds: 600, overlapSeconds: 300, lagSeconds: 15 };

describe("planForward", () => {
  test("first run reads now − lookback to server now − lag", () => {
    expect(planForward(base).range).toEqual({ startMs: NOW - 600_000, endMs: NOW - 15_000 });
  });

  test("later runs start at checkpoint − overlap", () => {
    const checkpointMs = NOW - 120_000;
    expect(planForward({ ...base, checkpointMs }).range).toEqual({
      startMs: checkpointMs - 300_000,
      endMs: NOW - 15_000,
    });
  });

  test("a checkpoint over 80 days old warns; past 90 days the start is clamped and the loss is named", () => {
    const day = 86_400_000;
    expect(planForward({ ...base, checkpointMs: NOW - 10 * day }).warning).toBeUndefined();
    expect(planForward({ ...base, checkpointMs: NOW - 81 * day }).warning).toContain(
      "81 days behind",
    );
    const lost = planForward({ ...base, checkpointMs: NOW - 95 * day });
    expect(lost.warning).toContain("are lost");
    expect(lost.range?.startMs).toBe(NOW - 90 * day);
  });

  test("bounds fall on whole seconds, so neighbouring requests never overlap", () => {
    const range = planForward({
      ...base,
      serverNowMs: NOW + 1234,
      checkpointMs: NOW - 60_500,
    }).range;
    expect(range).toEqual({ startMs: NOW - 361_000, endMs: NOW - 14_000 });
  });

  test("--start-time sets where a stream without a checkpoint starts, and only then", () => {
    const firstStartMs = NOW - 3 * 3600_000;
    expect(planForward({ ...base, firstStartMs }).range).toEqual({
      startMs: firstStartMs,
      endMs: NOW - 15_000,
    });
    const checkpointMs = NOW - 120_000;
    expect(planForward({ ...base, firstStartMs, checkpointMs }).range?.startMs).toBe(
      checkpointMs - 300_000,
    );
    const old = planForward({ ...base, firstStartMs: NOW - 100 * 86_400_000 });
    expect(old.range?.startMs).toBe(NOW - 90 * 86_400_000);
    expect(old.warning).toContain("older than the 90 days Crusoe keeps");
  });

  test("nothing to read when the window is empty", () => {
    expect(
      planForward({ ...base, checkpointMs: NOW, overlapSeconds: 0, lagSeconds: 15 }).range,
    ).toBeUndefined();
  });
});

describe("planChunks", () => {
  test("covers the range exactly, in order, without overlap", () => {
    const chunks = planChunks({ startMs: 0, endMs: 9_000_000 }, 3600);
    expect(chunks).toEqual([
      { startMs: 0, endMs: 3_600_000 },
      { startMs: 3_600_000, endMs: 7_200_000 },
      { startMs: 7_200_000, endMs: 9_000_000 },
    ]);
  });
});

describe("parseRangeBounds", () => {
  test("accepts Z and offsets; end defaults to now − lag", () => {
    expect(parseRangeBounds("2026-06-01T10:00:00+02:00", "2026-06-01T11:00:00Z", NOW, 15)).toEqual({
      startMs: Date.parse("2026-06-01T08:00:00Z"),
      endMs: Date.parse("2026-06-01T11:00:00Z"),
    });
    expect(parseRangeBounds("2026-06-01T11:00:00Z", undefined, NOW, 15)).toEqual({
      startMs: Date.parse("2026-06-01T11:00:00Z"),
      endMs: NOW - 15_000,
    });
  });

  test("a date or a time without offset is read as UTC, and said so", () => {
    expect(parseRangeBounds("2026-06-01", "2026-06-01T11:00", NOW, 15)).toEqual({
      startMs: Date.parse("2026-06-01T00:00:00Z"),
      endMs: Date.parse("2026-06-01T11:00:00Z"),
    });
    expect(parseRangeInput("2026-06-01", "2026-06-01T11:00:00Z")).toEqual({
      startMs: Date.parse("2026-06-01T00:00:00Z"),
      endMs: Date.parse("2026-06-01T11:00:00Z"),
      notes: ["--start-time 2026-06-01 has no UTC offset: read as UTC (2026-06-01T00:00:00Z)"],
    });
    expect(parseRangeInput("2026-06-01T10:00:00+02:00", undefined)).toEqual({
      startMs: Date.parse("2026-06-01T08:00:00Z"),
      notes: [],
    });
  });

  test.each([
    ["yesterday", undefined, '--start-time: "yesterday" is not a time'],
    ["2026-02-30T00:00:00Z", undefined, '--start-time: "2026-02-30T00:00:00Z" is not a time'],
    ["2026-02-30", undefined, '--start-time: "2026-02-30" is not a time'],
    ["2026-06-01T24:00:00Z", undefined, "--start-time"],
    ["2026-06-01T10:00:00+25:00", undefined, "--start-time"],
    ["2026-06-01T11:00:00Z", "2026-04-31T00:00:00Z", '--end-time: "2026-04-31T00:00:00Z"'],
    ["2026-06-01T11:00:00Z", "2026-06-01T10:00:00Z", "--start-time must be before --end-time"],
    ["2026-06-01T11:00:00Z", "2026-06-01T11:00:00Z", "--start-time must be before --end-time"],
  ])("without the server, rejects %p .. %p", (start, end, message) => {
    const result = parseRangeInput(start, end);
    expect(typeof result).toBe("string");
    expect(result as string).toStartWith(message);
  });

  test.each([
    ["2026-06-01T12:00:00Z", undefined, "not before now − lag"],
    ["2026-06-01T11:00:00Z", "soon", "--end-time"],
    ["2026-06-01T11:00:00Z", "2026-06-01T10:00:00Z", "before"],
    ["2026-06-01T11:00:00Z", "2026-06-01T13:00:00Z", "future"],
    ["2026-01-01T00:00:00Z", undefined, "90 days"],
  ])("rejects %p .. %p", (start, end, message) => {
    expect(parseRangeBounds(start, end, NOW, 15)).toContain(message);
  });
});
