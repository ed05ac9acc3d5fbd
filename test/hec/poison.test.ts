// Poison or setting (README "Poison events or a setting?"): an event Splunk rejects while events
// like it are accepted is dead-lettered; a rejection that is really the index, a proxy's body
// limit or a server refusing everything fails the send with nothing dead-lettered.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { HecConfig } from "../../src/config/types.ts";
import type { HecEmulator, HecEmulatorOptions } from "../../src/emulators/hec.ts";
import type { SinkEvent } from "../../src/sinks/types.ts";
import { acceptedIds, ids, META, makeEvents, useHecFixture } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const { startEmulator, sinkFor } = useHecFixture();
let emu: HecEmulator;

async function setup(opts: HecEmulatorOptions = {}, config: Partial<HecConfig> = {}) {
  emu = await startEmulator(opts);
  return sinkFor(emu, config);
}

const idOf = (envelope: Record<string, unknown>) =>
  (envelope.fields as { crusoe_event_id: string }).crusoe_event_id;
const one = (events: SinkEvent[]) => events[0] as SinkEvent;

describe("code 7 is always the index setting", () => {
  test("every event refused: failure naming SPLUNK_INDEX and the index, nothing dead-lettered", async () => {
    const s = await setup({ allowedIndexes: ["main"] });
    const batch = makeEvents(6, 0, { ...META, index: "secret" });
    const r = await s.send(batch);
    expect(r.delivered).toEqual([]);
    expect(r.deadLettered).toEqual([]);
    expect(r.failure?.message).toMatch(/index "secret" \(SPLUNK_INDEX\) is not allowed/);
    expect(r.failure?.hint).toMatch(/SPLUNK_INDEX.*allowed indexes/);
    // No bisection down to single events: one request settles it.
    expect(emu.requests).toHaveLength(1);
    expect(emu.accepted).toHaveLength(0);
  });

  test("the prefix Splunk indexed before the refused object counts as delivered, still nothing dead-lettered", async () => {
    const s = await setup({ allowedIndexes: ["main"] });
    const batch = makeEvents(5, 0, { ...META, index: "main" });
    batch.splice(2, 0, one(makeEvents(1, 0, { ...META, index: "secret" })));
    const r = await s.send(batch);
    expect(r.delivered).toEqual(ids(batch).slice(0, 2));
    expect(r.deadLettered).toEqual([]);
    expect(r.failure?.message).toMatch(/code 7/);
    expect(acceptedIds(emu)).toEqual(r.delivered);
  });
});

describe("413", () => {
  test("for a single small event it is a body limit, not poison: failure naming it and SPLUNK_MAX_BATCH_BYTES", async () => {
    const s = await setup({ maxContentLength: 100 }, { gzip: false });
    const r = await s.send(makeEvents(4));
    expect(r.delivered).toEqual([]);
    expect(r.deadLettered).toEqual([]);
    expect(r.failure?.message).toMatch(/HTTP 413.*single event of \d+ bytes.*body limit/);
    expect(r.failure?.hint).toMatch(/SPLUNK_MAX_BATCH_BYTES/);
    expect(r.failure?.hint).toMatch(/proxy/);
  });

  test("a genuinely large event too big alone while the others are accepted is poison", async () => {
    const s = await setup({ maxContentLength: 20_000 }, { gzip: false });
    const batch = makeEvents(4, 100);
    const huge = one(makeEvents(1, 40_000));
    batch.splice(1, 0, huge);
    const r = await s.send(batch);
    expect(r.failure).toBeUndefined();
    expect(r.deadLettered.map((d) => d.id)).toEqual([huge.id]);
    expect(r.deadLettered[0]?.reason).toMatch(/too big alone/);
    expect(acceptedIds(emu)).toEqual(ids(batch).filter((id) => id !== huge.id));
  });

  test("a large event alone before anything was accepted is not judged poison; after Splunk accepted others it is", async () => {
    const s = await setup({ maxContentLength: 20_000 }, { gzip: false });
    const huge = makeEvents(1, 40_000);
    const first = await s.send(huge);
    expect(first.deadLettered).toEqual([]);
    expect(first.failure?.message).toMatch(/rejected an event before accepting any/);
    expect(first.failure?.hint).toMatch(/SPLUNK_MAX_BATCH_BYTES/);
    const good = makeEvents(3);
    expect((await s.send(good)).delivered).toEqual(ids(good));
    const again = await s.send(huge);
    expect(again.failure).toBeUndefined();
    expect(again.deadLettered.map((d) => d.id)).toEqual(ids(huge));
  });
});

describe("code 6 without a usable invalid-event-number", () => {
  for (const position of [-1, 99]) {
    test(`everything refused at ${position}: bisection ends in a failure, nothing dead-lettered`, async () => {
      const s = await setup();
      emu.fail({ status: 400, code: 6, invalidEventNumber: position }, 1000);
      const r = await s.send(makeEvents(8));
      expect(r.delivered).toEqual([]);
      expect(r.deadLettered).toEqual([]);
      expect(r.failure?.message).toMatch(/rejected all 8 events of a batch .*code 6/);
      expect(r.failure?.message).toMatch(/setting or a proxy/);
    });
  }

  test("one bad event among accepted ones is found by bisection and dead-lettered; the rest once", async () => {
    const s = await setup();
    const batch = makeEvents(8);
    const bad = batch[5]?.id;
    emu.poisonWhen((envelope) =>
      idOf(envelope) === bad ? { code: 6, invalidEventNumber: -1 } : undefined,
    );
    const r = await s.send(batch);
    expect(r.failure).toBeUndefined();
    expect(r.deadLettered.map((d) => d.id)).toEqual([bad]);
    expect(r.delivered.sort()).toEqual(
      ids(batch)
        .filter((id) => id !== bad)
        .sort(),
    );
    expect(acceptedIds(emu).sort()).toEqual(r.delivered);
  });
});

test("a batch rejected whole for one reason is a setting even after other batches were accepted", async () => {
  const s = await setup();
  const good = makeEvents(3);
  expect((await s.send(good)).delivered).toEqual(ids(good));
  emu.poisonWhen(() => ({ code: 13 }));
  const r = await s.send(makeEvents(4));
  expect(r.deadLettered).toEqual([]);
  expect(r.delivered).toEqual([]);
  expect(r.failure?.message).toMatch(/rejected all 4 events of a batch .*code 13/);
});
