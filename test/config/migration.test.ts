// Moving from the Python forwarder without tripping: its flags, its env file and its first run,
// through the compiled binary against the emulators.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { idsOf, repeats, startWorld, type World } from "../e2e/world.ts";
import { runBinary } from "../helpers/binary.ts";
import { dirWith } from "./fixtures.ts";

// Whole-binary runs take seconds, more on a loaded machine; bun 1.4.5 applies the preload's
// setDefaultTimeout to the first test file only, so each such file sets its own.
setDefaultTimeout(60_000);
let world: World;
beforeAll(async () => {
  world = await startWorld({ events: 300 });
});
afterAll(async () => {
  await world?.close();
});

const freshState = () => ({ ...world.env, STATE_DIR: join(dirWith({}), "state") });
const lines = (stderr: string, part: string) => stderr.split("\n").filter((l) => l.includes(part));

describe("the Python forwarder's flags", () => {
  test("--config-file PATH is read as --env-file, with a note", async () => {
    const dir = dirWith({ "old.env": "SPLUNK_INDEX=from-old-config\n" });
    const path = join(dir, "old.env");
    const result = await runBinary(["config-check", "--json", "--config-file", path], {
      env: world.env,
    });
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.envFile).toBe(path);
    expect(body.settings.find((r: { name: string }) => r.name === "SPLUNK_INDEX").value).toBe(
      "from-old-config",
    );
    expect(lines(result.stderr, "--config-file")).toEqual([
      `--config-file ${path}: read as --env-file (KEY=VALUE lines)`,
    ]);
    const both = await runBinary(["forward", "--config-file", path, "--env-file", path], {
      env: world.env,
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("error: --config-file and --env-file: give one");
  });

  test("--enable-dedup is accepted with a note; with --disable-dedup it is a usage error", async () => {
    const before = world.crusoe.requests.length;
    const result = await runBinary(["forward", "--enable-dedup", "--dry-run"], {
      env: freshState(),
    });
    expect(result.code).toBe(0);
    expect(lines(result.stderr, "--enable-dedup")).toEqual([
      "--enable-dedup: nothing to do, dedup is always on (--disable-dedup turns it off)",
    ]);
    const both = await runBinary(["forward", "--enable-dedup", "--disable-dedup"], {
      env: freshState(),
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("error: --enable-dedup and --disable-dedup: give one");
    expect(world.crusoe.requests.length).toBeGreaterThan(before);
  });
});

describe("the Python forwarder's env file", () => {
  test("legacy CRUSOE_BASE_URL is moved to the current API naming both; CRUSOE_REGION is warned unused", async () => {
    const cwd = dirWith({
      ".env": "CRUSOE_BASE_URL=https://api.crusoecloud.com/v1alpha5\nCRUSOE_REGION=us-east1\n",
    });
    const env = { ...world.env, CRUSOE_BASE_URL: undefined };
    const result = await runBinary(["config-check", "--json"], { env, cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).warnings).toEqual([
      "CRUSOE_BASE_URL https://api.crusoecloud.com/v1alpha5 is the legacy API: using https://api.cloud.crusoe.ai/v1 instead",
      "CRUSOE_REGION is set but not used: the audit-log API is not regional",
    ]);
  });
});

describe("times as the Python forwarder took them", () => {
  test("a date-only --start-time is UTC, said in the log and in --help", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const result = await runBinary(["forward-range", "--start-time", today, "--dry-run"], {
      env: freshState(),
    });
    expect(result.code).toBe(0);
    expect(lines(result.stderr, "read as UTC")).toEqual([
      `--start-time ${today} has no UTC offset: read as UTC (${today}T00:00:00Z)`,
    ]);
    for (const verb of ["forward-range", "forward"]) {
      const help = await runBinary([verb, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout.replace(/\s+/g, " ")).toContain("without offset");
      expect(help.stdout).toContain("UTC");
    }
  });
});

describe("forward --start-time: the first run starts where the old tool stopped", () => {
  test("first run sends exactly the events from T on; later runs keep to the checkpoint", async () => {
    const env = freshState();
    const sorted = [...world.entries].sort((a, b) => (eventTimeMs(a) ?? 0) - (eventTimeMs(b) ?? 0));
    const middle = eventTimeMs(sorted[150] ?? {}) as number;
    // On a whole second, as the API takes them; T itself belongs to the new tool.
    const startMs = Math.ceil(middle / 1000) * 1000;
    const at = new Date(startMs).toISOString();
    const already = world.hec.accepted.length;
    const first = await runBinary(["forward", "--start-time", at], { env });
    expect(first.code).toBe(0);
    const sent = world.acceptedIds().slice(already);
    const expected = idsOf(world.entries.filter((e) => (eventTimeMs(e) ?? 0) >= startMs));
    expect(new Set(sent)).toEqual(new Set(expected));
    expect(repeats(sent)).toBe(0);
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(world.entries.length - 50);

    // A second run given an earlier --start-time continues from the checkpoint instead.
    const earlier = new Date(startMs - 3600_000).toISOString();
    const second = await runBinary(["forward", "--start-time", earlier], { env });
    expect(second.code).toBe(0);
    expect(lines(second.stderr, "--start-time not used")).toHaveLength(1);
    expect(world.acceptedIds().length - already).toBe(sent.length);
  });
});
