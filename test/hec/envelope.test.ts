import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Buffer } from "node:buffer";
import { createBatcher, lineBytes } from "../../src/hec/batcher.ts";
import { encodeBody } from "../../src/hec/body.ts";
import { createCookieJar } from "../../src/hec/cookies.ts";
import { buildEnvelopeLine, envelopeWriter } from "../../src/hec/envelope.ts";
import { hecEndpoints } from "../../src/hec/url.ts";
import type { SinkEvent } from "../../src/sinks/types.ts";
import { parseRetryAfter } from "../../src/wait.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

describe("envelope", () => {
  test("has exactly the allowed keys, ms time, the id as indexed field, the event untouched", () => {
    const event = { b: 1, a: { z: "é", y: [1, 2] }, start_time: "2024-09-03T16:27:36.954Z" };
    const line = buildEnvelopeLine(event, "abc", Date.parse(event.start_time), {
      host: "h",
      source: "s",
      sourcetype: "st",
      index: "idx",
    });
    expect(line).not.toContain("\n");
    const env = JSON.parse(line);
    expect(Object.keys(env)).toEqual([
      "time",
      "host",
      "source",
      "sourcetype",
      "index",
      "fields",
      "event",
    ]);
    expect(line).toContain('"time":1725380856.954,');
    expect(env.fields).toEqual({ crusoe_event_id: "abc" });
    expect(env.event).toEqual(event);
    expect(JSON.stringify(env.event)).toBe(JSON.stringify(event));
  });

  test("leaves index out when not set, and keeps whole seconds as numbers", () => {
    const env = JSON.parse(
      buildEnvelopeLine("x", "id", 1_700_000_000_000, { host: "h", source: "s", sourcetype: "t" }),
    );
    expect(Object.keys(env)).toEqual(["time", "host", "source", "sourcetype", "fields", "event"]);
    expect(env.time).toBe(1_700_000_000);
  });
});

describe("envelope events and the request body", () => {
  const T = 1_725_380_856_954;
  // Non-ASCII in the meta, the id and the event: bytes and characters differ everywhere.
  const write = envelopeWriter({ host: "hôst", source: "s", sourcetype: "t", index: "ïdx" });

  test("an envelope's byte count is its line's UTF-8 bytes and the newline", () => {
    const event = write(JSON.stringify({ a: "é€😀", b: 1 }), "id-é", T, T);
    expect(event.bytes).toBe(Buffer.byteLength(event.line) + 1);
    expect(JSON.parse(event.line).event).toEqual({ a: "é€😀", b: 1 });
  });

  test("the body is each event's line and a newline, envelope events written in pieces", () => {
    const events: SinkEvent[] = [
      write('{"a":"é"}', "1", T, T),
      { id: "2", timeMs: 0, line: '{"plain":"ü"}' },
      write('{"b":[1,{"c":"😀"}]}', "3", T, T),
    ];
    const body = encodeBody(events);
    expect(new TextDecoder().decode(body)).toBe(events.map((e) => `${e.line}\n`).join(""));
    expect(body.length).toBe(events.reduce((n, e) => n + lineBytes(e), 0));
  });

  test("a body bigger than the reused buffer is written whole", () => {
    const event = write(JSON.stringify({ big: "é".repeat(700_000) }), "big", T, T);
    const body = encodeBody([event]);
    expect(body.length).toBe(event.bytes);
    expect(new TextDecoder().decode(body)).toBe(`${event.line}\n`);
  });
});

describe("hecEndpoints", () => {
  const want = {
    event: "https://splunk:8088/services/collector/event",
    ack: "https://splunk:8088/services/collector/ack",
    health: "https://splunk:8088/services/collector/health",
  };
  for (const url of [
    "https://splunk:8088",
    "https://splunk:8088/",
    "https://splunk:8088/services/collector",
    "https://splunk:8088/services/collector/",
    "https://splunk:8088/services/collector/event",
    "https://splunk:8088/services/collector/event/",
    "https://splunk:8088/services/collector/event?token=secret",
  ]) {
    test(url, () => expect(hecEndpoints(url)).toEqual(want));
  }
  test("keeps a proxy prefix", () => {
    expect(hecEndpoints("https://proxy/splunk/services/collector/event").event).toBe(
      "https://proxy/splunk/services/collector/event",
    );
  });
  test("rejects garbage with a message naming the variable", () => {
    expect(() => hecEndpoints("splunk:8088 x")).toThrow(/SPLUNK_HEC_URL/);
  });
});

describe("batcher", () => {
  const ev = (id: string, line: string): SinkEvent => ({ id, timeMs: 0, line });

  test("closes at maxEvents", () => {
    const b = createBatcher({ maxEvents: 2, maxBytes: 1000 });
    expect(b.add(ev("1", "a"))).toBeUndefined();
    expect(b.add(ev("2", "b"))?.map((e) => e.id)).toEqual(["1", "2"]);
    expect(b.add(ev("3", "c"))).toBeUndefined();
    expect(b.drain()?.map((e) => e.id)).toEqual(["3"]);
    expect(b.drain()).toBeUndefined();
  });

  test("closes before the event that would pass maxBytes, counting UTF-8 bytes and newlines", () => {
    // "é" is 2 bytes: each line is 4 chars, 5 UTF-8 bytes + 1 newline = 6 bytes.
    const b = createBatcher({ maxEvents: 100, maxBytes: 12 });
    expect(b.add(ev("1", "éabc"))).toBeUndefined();
    expect(b.add(ev("2", "éabc"))).toBeUndefined();
    expect(b.add(ev("3", "éabc"))?.map((e) => e.id)).toEqual(["1", "2"]);
    expect(b.drain()?.map((e) => e.id)).toEqual(["3"]);
  });

  test("an event bigger than maxBytes travels alone", () => {
    const b = createBatcher({ maxEvents: 100, maxBytes: 10 });
    expect(b.add(ev("1", "a"))).toBeUndefined();
    expect(b.add(ev("2", "x".repeat(50)))?.map((e) => e.id)).toEqual(["1"]);
    expect(b.add(ev("3", "b"))?.map((e) => e.id)).toEqual(["2"]);
  });
});

describe("Retry-After and cookies", () => {
  test("Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  test("the jar keeps, replaces and expires cookies", () => {
    let t = 0;
    const jar = createCookieJar(() => t);
    expect(jar.header()).toBeUndefined();
    jar.store(["AWSALB=one; Path=/; Max-Age=10", "other=x; Expires=Wed, 21 Oct 2099 07:28:00 GMT"]);
    expect(jar.header()).toBe("AWSALB=one; other=x");
    jar.store(["AWSALB=two; Path=/"]);
    expect(jar.header()).toBe("AWSALB=two; other=x");
    jar.store(["other=; Max-Age=0"]);
    expect(jar.header()).toBe("AWSALB=two");
    jar.store(["short=1; Max-Age=1"]);
    t = 5000;
    expect(jar.header()).toBe("AWSALB=two");
  });
});
