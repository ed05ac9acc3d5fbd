// The compiled binary as a subprocess against the emulators: delivery once, right _time,
// exit codes, and state untouched by failures.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { eventId } from "../../src/state/event-id.ts";
import { runBinary } from "../helpers/binary.ts";
import { closeWorldsAfterEach, idsOf, repeats, startWorld, type World } from "./world.ts";

// Whole-binary runs take seconds; the preload's default does not reach every file.
setDefaultTimeout(60_000);
let world: World | undefined;
closeWorldsAfterEach();

async function statusOf(w: World) {
  const result = await runBinary(["status", "--json"], { env: w.env });
  const status = JSON.parse(result.stdout);
  // status exits 1 when the last run failed (so a cron wrapper can alert on it).
  expect(result.code).toBe(status.lastRun?.outcome === "failed" ? 1 : 0);
  return status;
}

describe("forward (compiled binary)", () => {
  test("a run long enough for the paced collections (every 5k events) delivers each event once", async () => {
    world = await startWorld({ events: 12_000 });
    const run = await runBinary(["forward"], { env: world.env });
    expect([run.code, run.stderr]).toEqual([0, expect.stringContaining("delivered 12000")]);
    const ids = world.acceptedIds();
    expect(new Set(ids)).toEqual(new Set(idsOf(world.entries)));
    expect(repeats(ids)).toBe(0);
  });

  test("delivers every event of a multi-page window once, with _time = start_time; a second run sends nothing", async () => {
    world = await startWorld({ events: 2500 });
    const first = await runBinary(["forward"], { env: world.env });
    expect(first.code).toBe(0);
    const ids = world.acceptedIds();
    expect(new Set(ids)).toEqual(new Set(idsOf(world.entries)));
    expect(repeats(ids)).toBe(0);
    expect(world.crusoe.requests.length).toBeGreaterThan(10);
    const byId = new Map(world.entries.map((entry) => [eventId(entry), entry]));
    for (const envelope of world.hec.accepted) {
      const entry = byId.get((envelope.fields as Record<string, string>).crusoe_event_id);
      expect(Math.round((envelope.time as number) * 1000)).toBe(eventTimeMs(entry ?? {}) ?? -1);
      expect(envelope.event).toEqual(entry);
    }
    expect(first.stderr).toContain("delivered 2500");

    const second = await runBinary(["forward"], { env: world.env });
    expect(second.code).toBe(0);
    expect(world.hec.accepted.length).toBe(2500);
    const status = await statusOf(world);
    expect(status.lastRun.outcome).toBe("ok");
    expect(status.lastRun.delivered).toBe(0);
  });

  test("HEC down: exit 1, checkpoint not advanced; a later run delivers everything once", async () => {
    world = await startWorld({ events: 800 });
    world.hec.setDown(true);
    const failed = await runBinary(["forward"], { env: world.env });
    expect(failed.code).toBe(1);
    expect(world.hec.accepted.length).toBe(0);
    const status = await statusOf(world);
    // Empty leading chunks may settle; never past the first undelivered event.
    const firstEvent = Math.min(
      ...world.entries.map((entry) => eventTimeMs(entry) ?? Number.POSITIVE_INFINITY),
    );
    expect(status.checkpoint === null || Date.parse(status.checkpoint) <= firstEvent).toBe(true);
    expect(status.lastRun.outcome).toBe("failed");

    world.hec.setDown(false);
    const later = await runBinary(["forward"], { env: world.env });
    expect(later.code).toBe(0);
    expect(new Set(world.acceptedIds())).toEqual(new Set(idsOf(world.entries)));
    expect(repeats(world.acceptedIds())).toBe(0);
  });

  test("a poison event is dead-lettered with Splunk's reason, the rest delivered, exit 3", async () => {
    world = await startWorld({ events: 500 });
    const poison = eventId(world.entries[250] ?? {});
    world.hec.poisonWhen((envelope) =>
      (envelope.fields as Record<string, string>).crusoe_event_id === poison
        ? { code: 13 }
        : undefined,
    );
    const result = await runBinary(["forward"], { env: world.env });
    expect(result.code).toBe(3);
    expect(world.acceptedIds()).not.toContain(poison);
    expect(new Set(world.acceptedIds()).size).toBe(499);
    const deadLetters = readFileSync(join(world.stateDir, "dead-letter.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].crusoe_event_id).toBe(poison);
    expect(deadLetters[0].code).toBe(13);
    // Settled: the next run neither resends it nor dead-letters it again.
    const again = await runBinary(["forward"], { env: world.env });
    expect(again.code).toBe(0);
    expect(
      readFileSync(join(world.stateDir, "dead-letter.ndjson"), "utf8").trim().split("\n"),
    ).toHaveLength(1);
  });

  test("Crusoe 401: exit 1 with the key/clock hint, nothing sent, no state advanced", async () => {
    world = await startWorld({ events: 50 });
    const result = await runBinary(["forward"], {
      env: { ...world.env, CRUSOE_SECRET_ACCESS_KEY: "AAAAAAAAAAAAAAAAAAAAAA" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/signature rejected: check the key pair and this host's clock/);
    expect(world.hec.accepted.length).toBe(0);
    expect((await statusOf(world)).checkpoint).toBeNull();
  });

  test("bad flags and bad values exit 2 naming the problem", async () => {
    world = await startWorld({ events: 1 });
    const typo = await runBinary(["forward", "--lookbak", "60"], { env: world.env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--lookbak");
    const badRange = await runBinary(["forward-range", "--start-time", "yesterday"], {
      env: world.env,
    });
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toContain("--start-time");
    const noOrg = await runBinary(["forward"], { env: { ...world.env, CRUSOE_ORG_ID: "" } });
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain("CRUSOE_ORG_ID");
  });

  test("--dry-run shows envelopes, sends nothing and changes no state", async () => {
    world = await startWorld({ events: 300 });
    const result = await runBinary(["forward", "--dry-run"], { env: world.env });
    expect(result.code).toBe(0);
    const shown = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(shown).toHaveLength(5);
    expect(Object.keys(shown[0]).sort()).toEqual([
      "event",
      "fields",
      "host",
      "source",
      "sourcetype",
      "time",
    ]);
    expect(world.hec.requests.length).toBe(0);
    expect(existsSync(join(world.stateDir, "dead-letter.ndjson"))).toBe(false);
    const status = await statusOf(world);
    expect(status.checkpoint).toBeNull();
    expect(status.lastRun).toBeNull();
  });

  test("a corrupt state file stops every run naming it, until dedup-stats --clear moves it aside", async () => {
    world = await startWorld({ events: 200 });
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
    const streamDir = join(
      world.stateDir,
      readdirSync(world.stateDir).find((name) => !name.includes(".")) ?? "",
    );
    const checkpoint = join(streamDir, "checkpoint.json");
    writeFileSync(checkpoint, readFileSync(checkpoint, "utf8").slice(0, 5)); // a torn write
    for (let run = 0; run < 2; run++) {
      const failed = await runBinary(["forward"], { env: world.env });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(checkpoint);
    }
    expect(world.hec.accepted.length).toBe(200);
    const cleared = await runBinary(["dedup-stats", "--clear", "--yes"], { env: world.env });
    expect(cleared.code).toBe(0);
    expect(readdirSync(streamDir).some((name) => name.startsWith("checkpoint.json.corrupt-"))).toBe(
      true,
    );
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
  });

  test("--sink stdout writes NDJSON envelopes to stdout and logs only to stderr", async () => {
    world = await startWorld({ events: 120 });
    const result = await runBinary(["forward", "--sink", "stdout"], {
      env: { ...world.env, SPLUNK_HEC_URL: "", SPLUNK_HEC_TOKEN: "" },
    });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(new Set(lines.map((envelope) => envelope.fields.crusoe_event_id))).toEqual(
      new Set(idsOf(world.entries)),
    );
  });
});
