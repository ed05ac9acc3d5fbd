// One test per row of the HEC status-code table (docs/splunk-hec.md), against the emulator.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { HecConfig } from "../../src/config/types.ts";
import type { HecEmulator, HecEmulatorOptions, HecFault } from "../../src/emulators/hec.ts";
import { buildEnvelopeLine } from "../../src/hec/envelope.ts";
import type { Sink } from "../../src/sinks/types.ts";
import { acceptedIds, FAST, ids, META, makeEvents, useHecFixture } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const { startEmulator, sinkFor } = useHecFixture();
let emu: HecEmulator;
let sink: Sink | undefined;

async function setup(opts: HecEmulatorOptions = {}, config: Partial<HecConfig> = {}) {
  emu = await startEmulator(opts);
  sink = sinkFor(emu, config);
  return sink;
}

const eventPosts = () => emu.requests.filter((r) => r.path.endsWith("/event"));

describe("2xx", () => {
  test("code 0: every event delivered and indexed once", async () => {
    const s = await setup();
    const batch = makeEvents(10);
    const r = await s.send(batch);
    expect(r).toEqual({
      delivered: ids(batch),
      deadLettered: [],
      retries: 0,
      possibleDuplicates: 0,
    });
    expect(acceptedIds(emu)).toEqual(ids(batch));
  });

  for (const code of [24, 25] as const) {
    test(`code ${code}: delivered (slow down)`, async () => {
      const s = await setup();
      emu.fail({ status: 200, code });
      const batch = makeEvents(5);
      const r = await s.send(batch);
      expect(r.delivered).toEqual(ids(batch));
      expect(r.failure).toBeUndefined();
      expect(acceptedIds(emu)).toEqual(ids(batch));
    });
  }

  test("200 carrying code 9 (busy) is retried like a 503: delivered once, after the busy answers", async () => {
    const s = await setup();
    emu.fail({ status: 200, code: 9 }, 2);
    const batch = makeEvents(5);
    const r = await s.send(batch);
    expect(r.failure).toBeUndefined();
    expect(r.retries).toBe(2);
    expect(r.delivered).toEqual(ids(batch));
    expect(acceptedIds(emu)).toEqual(ids(batch));
    expect(eventPosts().map((p) => [p.status, p.code])).toEqual([
      [200, 9],
      [200, 9],
      [200, 0],
    ]);
  });

  test("200 carrying code 9 until the retries run out: failure, nothing delivered", async () => {
    const s = await setup({}, { maxRetries: 1 });
    emu.fail({ status: 200, code: 9 }, 5);
    const r = await s.send(makeEvents(4));
    expect(r.delivered).toEqual([]);
    expect(r.deadLettered).toEqual([]);
    expect(r.failure?.message).toMatch(/still failing after 1 retries: HTTP 200 code 9/);
    expect(emu.accepted).toHaveLength(0);
  });

  test("200 carrying code 7 goes through the table: the index setting, nothing delivered", async () => {
    const s = await setup();
    emu.fail({ status: 200, code: 7 });
    const r = await s.send(makeEvents(3, 0, { ...META, index: "audit" }));
    expect(r.delivered).toEqual([]);
    expect(r.deadLettered).toEqual([]);
    expect(r.failure?.message).toMatch(/index "audit" \(SPLUNK_INDEX\) is not allowed/);
  });

  const notHec: Array<[string, HecFault]> = [
    ["an HTML page", { status: 200, body: "<html><body>Welcome to nginx!</body></html>" }],
    ["an empty body", { status: 200, body: "" }],
    ["204 with no body", { status: 204, body: "" }],
    ["JSON without a code", { status: 200, body: '{"text":"Success"}' }],
    ["JSON with a string code", { status: 200, body: '{"text":"Success","code":"0"}' }],
  ];
  for (const [name, fault] of notHec) {
    test(`2xx with ${name} is a failure naming a proxy or SPLUNK_HEC_URL, nothing delivered`, async () => {
      const s = await setup();
      emu.fail(fault);
      const r = await s.send(makeEvents(3));
      expect(r.delivered).toEqual([]);
      expect(r.deadLettered).toEqual([]);
      expect(r.failure?.message).toMatch(/without a HEC status code/);
      expect(r.failure?.hint).toMatch(/proxy/);
      expect(r.failure?.hint).toMatch(/SPLUNK_HEC_URL/);
      expect(r.failure?.hint).toMatch(/nothing was marked delivered/);
      expect(eventPosts()).toHaveLength(1);
    });
  }
});

describe("auth (401/403): stop, nothing delivered, message names the problem", () => {
  const cases: Array<[string, HecFault | { token: string } | { disabled: true }, RegExp]> = [
    ["code 1 token disabled", { disabled: true }, /token disabled/],
    ["code 2 token missing", { status: 401, code: 2 }, /token missing/],
    ["code 3 malformed header", { token: "two words" }, /malformed Authorization header/],
    ["code 4 token invalid", { token: "not-the-token" }, /token invalid/],
  ];
  for (const [name, how, message] of cases) {
    test(name, async () => {
      emu = await startEmulator({ disabledToken: "disabled-token" });
      const token = "disabled" in how ? "disabled-token" : "token" in how ? how.token : emu.token;
      if ("status" in how) emu.fail(how);
      sink = sinkFor(emu, { token });
      const r = await sink.send(makeEvents(3));
      expect(r.delivered).toEqual([]);
      expect(r.deadLettered).toEqual([]);
      expect(r.failure?.message).toMatch(message);
      expect(JSON.stringify(r)).not.toContain(token === emu.token ? emu.token : "disabled-token");
      expect(emu.accepted).toHaveLength(0);
      // Stop at once: a later batch is refused without another request.
      const before = emu.requests.length;
      expect((await sink.send(makeEvents(2))).failure?.message).toMatch(message);
      expect(emu.requests.length).toBe(before);
    });
  }
});

describe("poison codes 6, 12, 13, 15: prefix delivered, object N dead-lettered, rest resent", () => {
  for (const code of [6, 12, 13, 15] as const) {
    test(`code ${code}`, async () => {
      const s = await setup();
      const batch = makeEvents(7);
      const poisonId = batch[3]?.id;
      emu.poisonWhen((env) =>
        (env.fields as { crusoe_event_id: string }).crusoe_event_id === poisonId
          ? { code }
          : undefined,
      );
      const r = await s.send(batch);
      expect(r.failure).toBeUndefined();
      expect(r.deadLettered.map((d) => [d.id, d.code])).toEqual([[poisonId, code]]);
      expect(r.deadLettered[0]?.line).toBe(batch[3]?.line);
      const rest = ids(batch).filter((id) => id !== poisonId);
      expect(r.delivered).toEqual(rest);
      expect(acceptedIds(emu)).toEqual(rest); // each exactly once
    });
  }

  test("real validation: event null (12) and empty string (13) are dead-lettered", async () => {
    const s = await setup();
    const good = makeEvents(4);
    const nul = { id: "null-ev", timeMs: 0, line: buildEnvelopeLine(null, "null-ev", 0, META) };
    const empty = { id: "empty-ev", timeMs: 0, line: buildEnvelopeLine("", "empty-ev", 0, META) };
    const batch = [good[0], nul, good[1], good[2], empty, good[3]].filter((e) => e !== undefined);
    const r = await s.send(batch);
    expect(r.deadLettered.map((d) => [d.id, d.code])).toEqual([
      ["null-ev", 12],
      ["empty-ev", 13],
    ]);
    expect(r.delivered).toEqual(ids(good));
    expect(acceptedIds(emu)).toEqual(ids(good));
  });
});

describe("transient answers are retried and deliver once", () => {
  const faults: Array<[string, HecFault]> = [
    ["500 code 8", { status: 500, code: 8 }],
    ["503 code 9", { status: 503, code: 9 }],
    ["503 code 23", { status: 503, code: 23 }],
    ["429 code 26", { status: 429, code: 26 }],
    ["429 code 27 with Retry-After seconds", { status: 429, code: 27, retryAfter: "0" }],
    [
      "429 with Retry-After HTTP date",
      { status: 429, code: 26, retryAfter: new Date(Date.now() - 1000).toUTCString() },
    ],
    ["408", { status: 408 }],
    ["502", { status: 502 }],
    ["504", { status: 504 }],
    ["connection reset", { reset: true }],
    ["timeout (no answer in time)", { slowMs: 800 }],
  ];
  for (const [name, fault] of faults) {
    test(name, async () => {
      const s = await setup({}, { timeoutMs: 300 });
      emu.fail(fault, 2);
      const batch = makeEvents(6);
      const r = await s.send(batch);
      expect(r.failure).toBeUndefined();
      expect(r.retries).toBe(2);
      expect(r.delivered).toEqual(ids(batch));
      expect(acceptedIds(emu)).toEqual(ids(batch));
    });
  }

  test("Retry-After is honoured", async () => {
    const s = await setup();
    emu.fail({ status: 429, code: 26, retryAfter: "1" });
    const started = Date.now();
    const r = await s.send(makeEvents(2));
    expect(r.delivered).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // waits, not a speed assertion
  });

  test("503 with invalid-event-number resends only from N", async () => {
    const s = await setup();
    emu.fail({ status: 503, code: 9, invalidEventNumber: 4 });
    const batch = makeEvents(10);
    const r = await s.send(batch);
    expect(r.delivered).toEqual(ids(batch));
    expect(acceptedIds(emu)).toEqual(ids(batch)); // no duplicates of the first four
    const posts = eventPosts();
    expect(posts.map((p) => p.status)).toEqual([503, 200]);
  });

  test("retries are bounded: exhausted → failure, nothing delivered", async () => {
    const s = await setup({}, { maxRetries: 2 });
    emu.fail({ status: 503, code: 9 }, 10);
    const r = await s.send(makeEvents(3));
    expect(r.delivered).toEqual([]);
    expect(r.retries).toBe(2);
    expect(r.failure?.message).toMatch(/still failing after 2 retries: HTTP 503 code 9/);
    expect(eventPosts()).toHaveLength(3);
  });

  test("the overall deadline stops a Retry-After beyond it", async () => {
    emu = await startEmulator();
    sink = sinkFor(emu, {}, { retryBaseMs: 5, retryMaxMs: 20, deadlineMs: 500 });
    emu.fail({ status: 429, code: 26, retryAfter: "2" });
    const r = await sink.send(makeEvents(2));
    expect(r.delivered).toEqual([]);
    expect(r.failure?.message).toMatch(/deadline/);
  });

  test("a Retry-After beyond the longest wait fails the batch at once, naming it", async () => {
    emu = await startEmulator();
    sink = sinkFor(emu, {}, { ...FAST, maxRetryAfterMs: 1000 });
    emu.fail({ status: 429, code: 26, retryAfter: "3600" });
    const r = await sink.send(makeEvents(2));
    expect(r.delivered).toEqual([]);
    expect(r.failure?.message).toContain(
      "asked to retry after 3600 s (Retry-After), longer than a run waits (1 s)",
    );
    expect(emu.requests.filter((q) => q.path.endsWith("/event"))).toHaveLength(1);
  });
});

describe("configuration problems: clear message, nothing delivered", () => {
  const cases: Array<[string, HecFault, RegExp]> = [
    ["400 code 5", { status: 400, code: 5 }, /No data/],
    ["400 code 10", { status: 400, code: 10 }, /channel is missing/],
    ["400 code 11", { status: 400, code: 11 }, /channel is invalid/],
    ["400 code 14 (ack off)", { status: 400, code: 14 }, /acknowledgement is disabled/],
    ["400 code 16", { status: 400, code: 16 }, /query-string/],
    ["400 code 28", { status: 400, code: 28 }, /channel is missing/],
    ["405", { status: 405 }, /HTTP 405/],
    ["415", { status: 415 }, /HTTP 415/],
  ];
  for (const [name, fault, message] of cases) {
    test(name, async () => {
      const s = await setup();
      emu.fail(fault);
      const r = await s.send(makeEvents(3));
      expect(r.delivered).toEqual([]);
      expect(r.deadLettered).toEqual([]);
      expect(r.failure?.message).toMatch(message);
      expect(emu.accepted).toHaveLength(0);
      expect(eventPosts()).toHaveLength(1);
    });
  }

  test("404 (maybe a rolling restart) is retried, then named as a wrong URL", async () => {
    emu = await startEmulator();
    sink = sinkFor(emu, { url: `${emu.url}/wrong/services/collector`, maxRetries: 1 });
    const r = await sink.send(makeEvents(2));
    expect(r.delivered).toEqual([]);
    expect(r.failure?.message).toMatch(/not found \(HTTP 404\)/);
    expect(r.failure?.hint).toMatch(/SPLUNK_HEC_URL/);
    expect(emu.requests).toHaveLength(2);
  });

  test("400 code 14 with ack on: ack is turned off and the batch delivered", async () => {
    const s = await setup({ ack: false }, { ack: true });
    const batch = makeEvents(4);
    emu.fail({ status: 400, code: 14 });
    const r = await s.send(batch);
    expect(r.failure).toBeUndefined();
    expect(r.delivered).toEqual(ids(batch));
    expect(acceptedIds(emu)).toEqual(ids(batch));
  });
});

describe("too large: 413 and Splunk Cloud's code 6 at 0", () => {
  test("413 splits the batch in halves until it fits; every event once", async () => {
    const s = await setup({ maxContentLength: 3000 }, { gzip: false });
    const batch = makeEvents(20, 200);
    const r = await s.send(batch);
    expect(r.failure).toBeUndefined();
    expect(r.delivered.sort()).toEqual(ids(batch).sort());
    expect(acceptedIds(emu)).toEqual(ids(batch));
    expect(eventPosts().some((p) => p.status === 413)).toBe(true);
    for (const p of eventPosts().filter((p) => p.status === 200))
      expect(p.bytes).toBeLessThanOrEqual(3000);
  });

  test("code 6 at event 0 on a body over 1 MB splits too", async () => {
    const s = await setup(
      { maxContentLength: 1_000_000, oversizeAsCode6: true },
      { maxBatchBytes: 2_000_000, batchSize: 1000 },
    );
    const batch = makeEvents(150, 10_000);
    const r = await s.send(batch);
    expect(r.deadLettered).toEqual([]);
    expect(r.delivered.sort()).toEqual(ids(batch).sort());
    expect(acceptedIds(emu)).toEqual(ids(batch));
    expect(eventPosts()[0]?.code).toBe(6);
  });
});
