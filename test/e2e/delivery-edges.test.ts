// The compiled binary at the edges of "what reached Splunk": an unwritable dead-letter file, a
// 2xx that is not success, and rejections that are settings rather than poison events.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventId } from "../../src/state/event-id.ts";
import { runBinary } from "../helpers/binary.ts";
import { closeWorldsAfterEach, idsOf, repeats, startWorld, type World } from "./world.ts";

setDefaultTimeout(120_000);
let world: World | undefined;
closeWorldsAfterEach();

async function statusOf(w: World, env: Record<string, string> = w.env) {
  const result = await runBinary(["status", "--json"], { env });
  return JSON.parse(result.stdout);
}

const idOf = (envelope: Record<string, unknown>) =>
  (envelope.fields as Record<string, string>).crusoe_event_id;

describe("an unwritable dead-letter file", () => {
  test("a directory: forward, daemon, config-check and health exit 2 naming DEAD_LETTER_FILE before any request; four runs, no duplicates", async () => {
    world = await startWorld({ events: 500 });
    const w = world;
    const poison = eventId(w.entries[250] ?? {});
    w.hec.poisonWhen((envelope) => (idOf(envelope) === poison ? { code: 13 } : undefined));
    const directory = join(w.stateDir, "letters");
    mkdirSync(directory);
    const env = { ...w.env, DEAD_LETTER_FILE: directory };
    for (let run = 0; run < 4; run++) {
      const result = await runBinary(["forward"], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`DEAD_LETTER_FILE: ${directory} is a directory`);
    }
    for (const verb of [["daemon"], ["health"], ["config-check"]]) {
      const result = await runBinary(verb, { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("DEAD_LETTER_FILE");
    }
    expect(w.crusoe.requests).toHaveLength(0);
    expect(w.hec.requests).toHaveLength(0);
    expect(repeats(w.acceptedIds())).toBe(0);

    // A parent that is a file is caught the same way.
    const file = join(w.stateDir, "plain-file");
    writeFileSync(file, "");
    const nested = await runBinary(["config-check"], {
      env: { ...w.env, DEAD_LETTER_FILE: join(file, "dead-letter.ndjson") },
    });
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain(`${file} is not a directory`);
  });

  test("a write that fails mid-run: what Splunk accepted is committed, exit 1 naming DEAD_LETTER_FILE; four runs, no duplicates; fixed, the poison event is dead-lettered", async () => {
    world = await startWorld({ events: 500 });
    const w = world;
    const poison = eventId(w.entries[250] ?? {});
    const path = join(w.stateDir, "letters", "dead-letter.ndjson");
    let breakIt = true;
    // The path turns into a directory while Splunk answers for the poison event.
    w.hec.poisonWhen((envelope) => {
      if (idOf(envelope) !== poison) return undefined;
      if (breakIt) mkdirSync(path, { recursive: true });
      return { code: 13 };
    });
    const env = { ...w.env, DEAD_LETTER_FILE: path };
    for (let run = 0; run < 4; run++) {
      rmSync(path, { recursive: true, force: true });
      const result = await runBinary(["forward"], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`DEAD_LETTER_FILE=${path}`);
      expect(repeats(w.acceptedIds())).toBe(0);
      expect(w.acceptedIds()).not.toContain(poison);
    }
    breakIt = false;
    rmSync(path, { recursive: true, force: true });
    const fixed = await runBinary(["forward"], { env });
    expect(fixed.code).toBe(3);
    expect(repeats(w.acceptedIds())).toBe(0);
    expect(new Set(w.acceptedIds())).toEqual(
      new Set(idsOf(w.entries).filter((id) => id !== poison)),
    );
    const letters = readFileSync(path, "utf8").trim().split("\n");
    expect(letters.map((line) => JSON.parse(line).crusoe_event_id)).toEqual([poison]);
  });
});

describe("not success, not poison", () => {
  test("HEC behind a proxy answering 200 with a page: exit 1 naming the proxy and SPLUNK_HEC_URL, nothing advanced", async () => {
    world = await startWorld({ events: 300 });
    world.hec.fail({ status: 200, body: "<html><body>Maintenance</body></html>" }, 1000);
    const result = await runBinary(["forward"], { env: world.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("without a HEC status code");
    expect(result.stderr).toMatch(/proxy.*SPLUNK_HEC_URL/);
    expect(result.stderr).not.toContain("delivered 300");
    expect(world.hec.accepted).toHaveLength(0);
    const status = await statusOf(world);
    expect(status.lastRun.delivered).toBe(0);
    expect(
      status.checkpoint === null || Date.parse(status.checkpoint) <= Date.now() - 7200_000,
    ).toBe(true);
  });

  test("a proxy answering 413 to a single ~1 kB event: exit 1 naming its body limit and SPLUNK_MAX_BATCH_BYTES, nothing dead-lettered", async () => {
    world = await startWorld({ events: 200, hec: { maxContentLength: 300 } });
    const result = await runBinary(["forward"], { env: { ...world.env, SPLUNK_GZIP: "false" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 413 \(request too large\) for a single event of \d+ bytes/);
    expect(result.stderr).toMatch(/client_max_body_size.*SPLUNK_MAX_BATCH_BYTES/);
    expect(existsSync(join(world.stateDir, "dead-letter.ndjson"))).toBe(false);
    expect(world.hec.accepted).toHaveLength(0);
    const status = await statusOf(world);
    expect(status.lastRun.deadLettered).toBe(0);
  });

  test("code 7 for every event: exit 1 naming SPLUNK_INDEX, nothing dead-lettered or advanced; a good index delivers everything once", async () => {
    world = await startWorld({ events: 300, hec: { allowedIndexes: ["audit"] } });
    const wrong = { ...world.env, SPLUNK_INDEX: "secret" };
    const failed = await runBinary(["forward"], { env: wrong });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('index "secret" (SPLUNK_INDEX) is not allowed');
    expect(failed.stderr).toContain("allowed indexes");
    expect(existsSync(join(world.stateDir, "dead-letter.ndjson"))).toBe(false);
    expect((await statusOf(world, wrong)).lastRun.deadLettered).toBe(0);
    // A few requests, not one per event.
    expect(world.hec.requests.length).toBeLessThan(10);

    const good = await runBinary(["forward"], { env: { ...world.env, SPLUNK_INDEX: "audit" } });
    expect(good.code).toBe(0);
    expect(new Set(world.acceptedIds())).toEqual(new Set(idsOf(world.entries)));
    expect(repeats(world.acceptedIds())).toBe(0);
  });
});
