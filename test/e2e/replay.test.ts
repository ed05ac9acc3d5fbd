// replay-dead-letter with the compiled binary: fixed events are delivered once and leave the
// file, still-rejected ones stay with the new reason, and nothing is ever sent twice.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { buildEnvelopeLine } from "../../src/hec/envelope.ts";
import { eventId } from "../../src/state/event-id.ts";
import { runBinary } from "../helpers/binary.ts";
import { closeWorldsAfterEach, repeats, startWorld, type World } from "./world.ts";

setDefaultTimeout(60_000);
let world: World | undefined;
closeWorldsAfterEach();

const idOf = (envelope: Record<string, unknown>) =>
  (envelope.fields as Record<string, string>).crusoe_event_id;

function deadLetters(w: World): Record<string, unknown>[] {
  const text = readFileSync(join(w.stateDir, "dead-letter.ndjson"), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

describe("replay-dead-letter (compiled binary)", () => {
  test("fixed events are delivered once and removed; still-rejected ones stay with the new reason", async () => {
    world = await startWorld({ events: 300 });
    const a = eventId(world.entries[40] ?? {});
    const b = eventId(world.entries[200] ?? {});
    world.hec.poisonWhen((env) => (idOf(env) === a || idOf(env) === b ? { code: 13 } : undefined));
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(3);
    expect(
      deadLetters(world)
        .map((record) => record.crusoe_event_id)
        .sort(),
    ).toEqual([a, b].sort());

    // A is fixed (and the operator moved the stream to a new index); B is still refused.
    world.hec.poisonWhen((env) => (idOf(env) === b ? { code: 6 } : undefined));
    const env = { ...world.env, SPLUNK_INDEX: "audit_fixed" };
    const partial = await runBinary(["replay-dead-letter"], { env });
    expect(partial.code).toBe(3);
    const left = deadLetters(world);
    expect(left.map((record) => record.crusoe_event_id)).toEqual([b]);
    expect(left[0]?.code).toBe(6);
    const replayedA = world.hec.accepted.filter((envelope) => idOf(envelope) === a);
    expect(replayedA).toHaveLength(1);
    expect(replayedA[0]?.index).toBe("audit_fixed");
    expect(replayedA[0]?.event).toEqual(world.entries[40]);

    // Alone in its batch and still refused: poison (dead letters exist only because Splunk
    // accepted this stream's other events), not a setting error.
    world.hec.poisonWhen((env) => (idOf(env) === b ? { code: 15 } : undefined));
    const alone = await runBinary(["replay-dead-letter"], { env });
    expect(alone.code).toBe(3);
    expect(deadLetters(world).map((record) => [record.crusoe_event_id, record.code])).toEqual([
      [b, 15],
    ]);

    world.hec.poisonWhen(() => undefined);
    const rest = await runBinary(["replay-dead-letter"], { env });
    expect(rest.code).toBe(0);
    expect(deadLetters(world)).toEqual([]);
    const sent = world.hec.accepted.length;
    const toStdout = await runBinary(["replay-dead-letter", "--sink", "stdout"], { env });
    expect(toStdout.code).toBe(2);
    expect(toStdout.stderr).toContain("HEC only");
    const again = await runBinary(["replay-dead-letter"], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing to replay");
    // A later forward over the same window sends none of them again.
    const forward = await runBinary(["forward", "--overlap", "10800"], { env: world.env });
    expect(forward.code).toBe(0);
    expect(world.hec.accepted.length).toBe(sent);
    expect(repeats(world.acceptedIds())).toBe(0);
    expect(new Set(world.acceptedIds()).size).toBe(300);
  });

  test("a torn line is kept as it is; HEC down keeps every record and exits 1", async () => {
    world = await startWorld({ events: 100 });
    const a = eventId(world.entries[10] ?? {});
    world.hec.poisonWhen((env) => (idOf(env) === a ? { code: 12 } : undefined));
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(3);
    const file = join(world.stateDir, "dead-letter.ndjson");
    // Two runs before a fix can dead-letter the same event twice: it is sent once.
    appendFileSync(file, readFileSync(file, "utf8"));
    appendFileSync(file, '{"dead_lettered_at":"2026-');
    const before = readFileSync(file, "utf8");

    world.hec.poisonWhen(() => undefined);
    world.hec.setDown(true);
    const down = await runBinary(["replay-dead-letter"], { env: world.env });
    expect(down.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(before);

    world.hec.setDown(false);
    const ok = await runBinary(["replay-dead-letter"], { env: world.env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("line 3 is not a dead-letter record");
    expect(readFileSync(file, "utf8")).toBe('{"dead_lettered_at":"2026-\n');
    expect(world.acceptedIds().filter((id) => id === a)).toHaveLength(1);
  });

  test("a replayed event is remembered: a later forward over its window does not send it again", async () => {
    world = await startWorld({ events: 100 });
    const entry = world.entries[7] ?? {};
    const id = eventId(entry);
    const envelope = JSON.parse(
      buildEnvelopeLine(entry, id, eventTimeMs(entry) ?? 0, {
        host: "h",
        source: "s",
        sourcetype: "t",
      }),
    );
    mkdirSync(world.stateDir, { recursive: true });
    const record = { crusoe_event_id: id, code: 13, reason: "test", envelope };
    writeFileSync(join(world.stateDir, "dead-letter.ndjson"), `${JSON.stringify(record)}\n`);
    expect((await runBinary(["replay-dead-letter"], { env: world.env })).code).toBe(0);
    expect(world.acceptedIds()).toEqual([id]);
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
    expect(repeats(world.acceptedIds())).toBe(0);
    expect(new Set(world.acceptedIds()).size).toBe(100);
  });

  test("a failure mid-batch keeps the events not yet settled in the file", async () => {
    world = await startWorld({ events: 200 });
    const poison = new Set([10, 90, 150].map((i) => eventId(world?.entries[i] ?? {})));
    world.hec.poisonWhen((env) => (poison.has(idOf(env)) ? { code: 13 } : undefined));
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(3);
    const order = deadLetters(world).map((record) => record.crusoe_event_id as string);
    expect(order).toHaveLength(3);
    // The second is still refused, and HEC goes down right after: the third is never settled.
    const hec = world.hec;
    hec.poisonWhen((env) => {
      if (idOf(env) !== order[1]) return undefined;
      hec.setDown(true);
      return { code: 12 };
    });
    const result = await runBinary(["replay-dead-letter"], { env: world.env });
    expect(result.code).toBe(1);
    const left = deadLetters(world);
    expect(left.map((record) => record.crusoe_event_id)).toEqual([order[1], order[2]]);
    // The batch never finished, so the new rejection was not settled either: both kept as they were.
    expect(left.map((record) => record.code)).toEqual([13, 13]);
  });
});
