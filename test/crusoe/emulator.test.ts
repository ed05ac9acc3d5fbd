// The emulator must be as strict as Crusoe, or the client tests prove nothing.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { canonicalQuery, rfc3339Seconds, signRequest } from "../../src/crusoe/sign.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { HOUR, T0 } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const DATA = generateAuditEntries(1_000, { startMs: T0, endMs: T0 + HOUR, seed: 11 });
let emu: CrusoeEmulator;
let path: string;

beforeAll(async () => {
  emu = await startCrusoeEmulator({ entries: DATA });
  path = `/v1/organizations/${emu.orgId}/audit-logs`;
});
afterAll(() => emu.close());

const WINDOW: [string, string][] = [
  ["start_time", rfc3339Seconds(T0)],
  ["end_time", rfc3339Seconds(T0 + HOUR)],
  ["limit", "100"],
];

/** A hand-made request: sign `query` for `signPath`, but send `wire` on `sendPath`. */
async function call(opts: {
  query: [string, string][];
  wire?: string;
  signPath?: string;
  sendPath?: string;
  timestamp?: string;
}) {
  const timestamp = opts.timestamp ?? rfc3339Seconds(Date.now());
  const { accessKeyId, secretAccessKey } = emu;
  const s = await signRequest({
    accessKeyId,
    secretAccessKey,
    method: "GET",
    path: opts.signPath ?? path,
    query: opts.query,
    timestamp,
  });
  const res = await fetch(`${emu.url}${opts.sendPath ?? path}?${opts.wire ?? s.canonicalQuery}`, {
    headers: { authorization: s.authorization, "x-crusoe-timestamp": timestamp },
  });
  return {
    status: res.status,
    date: res.headers.get("date"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe("signature checks", () => {
  test("a correctly signed canonical request is served", async () => {
    const r = await call({ query: WINDOW });
    expect(r.status).toBe(200);
    expect((r.body.items as unknown[]).length).toBe(100);
    expect(r.body.next_page_token).toMatch(/^\+\+\+\+\/\/\/\/[A-Za-z0-9+/]+=$/);
  });

  test("a wire query in another order than the canonical one is refused", async () => {
    const wire = "start_time=2025-09-03T16%3A00%3A00Z&end_time=2025-09-03T17%3A00%3A00Z&limit=100";
    expect(await call({ query: WINDOW, wire })).toMatchObject({
      status: 401,
      body: { code: "401", message: "bad_credential" },
    });
  });

  test("a signature over another path prefix (the old /v1alpha5 bug) is refused", async () => {
    const r = await call({ query: WINDOW, signPath: path.replace("/v1/", "/v1alpha5/") });
    expect(r.status).toBe(401);
  });

  test("a stale timestamp is refused even when correctly signed", async () => {
    const r = await call({ query: WINDOW, timestamp: rfc3339Seconds(Date.now() - 301_000) });
    expect(r.status).toBe(401);
  });

  test("a token sent with a bare + (read as a space) is refused", async () => {
    const first = await call({ query: WINDOW });
    const token = first.body.next_page_token as string;
    const good = await call({ query: [...WINDOW, ["next_token", token]] });
    expect(good.status).toBe(200);
    // Sign what the server will decode, but put raw base64 on the wire: + becomes a space.
    const bare = [...WINDOW, ["next_token", token.replace(/\+/g, " ")]] as [string, string][];
    const wire = canonicalQuery(WINDOW).replace(
      "limit=100",
      `limit=100&next_token=${token.replace(/=/g, "%3D").replace(/\//g, "%2F")}`,
    );
    expect(wire).toBe(canonicalQuery(bare));
    expect((await call({ query: bare, wire })).status).toBe(400);
  });
});

describe("query semantics", () => {
  test("a token is bound to its query: changed filters are refused", async () => {
    const first = await call({ query: WINDOW });
    const r = await call({
      query: [
        ...WINDOW,
        ["actions", "Create"],
        ["next_token", first.body.next_page_token as string],
      ],
    });
    expect(r).toMatchObject({ status: 400, body: { code: "400" } });
  });

  test("a parameter the API does not have (offset) is refused", async () => {
    expect((await call({ query: [...WINDOW, ["offset", "100"]] })).status).toBe(400);
  });

  test("newest first, start_time in [start_time, end_time)", async () => {
    const mid = Date.parse(DATA[500]?.start_time as string);
    const query: [string, string][] = [
      ["start_time", rfc3339Seconds(mid)],
      ["end_time", rfc3339Seconds(mid + 60_000)],
      ["limit", "1000"],
    ];
    const items = (await call({ query })).body.items as Record<string, unknown>[];
    const times = items.map((e) => eventTimeMs(e) as number);
    const lo = Math.floor(mid / 1000) * 1000;
    const expected = DATA.filter((e) => {
      const t = eventTimeMs(e) as number;
      return t >= lo && t < lo + 60_000;
    });
    expect(items.length).toBe(expected.length);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test("every answer has a Date header and Crusoe's error body, unknown paths too", async () => {
    const r = await call({ query: WINDOW, sendPath: "/v1/organizations/x/other" });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: "404", message: "not_found" });
    expect(Math.abs(Date.parse(r.date as string) - Date.now())).toBeLessThan(2_000);
  });
});

test("an entry without a usable start_time is still served (by end_time), untouched", async () => {
  const odd = {
    action: "Create",
    start_time: "not a time",
    end_time: new Date(T0 + 5_000).toISOString(),
    extra: { kept: true },
  };
  emu.addEntries([odd]);
  const query: [string, string][] = [
    ["start_time", rfc3339Seconds(T0)],
    ["end_time", rfc3339Seconds(T0 + 10_000)],
    ["limit", "1000"],
  ];
  const items = (await call({ query })).body.items as Record<string, unknown>[];
  expect(items).toContainEqual(odd);
});

test("generateAuditEntries is deterministic and stays inside its range", () => {
  const a = generateAuditEntries(200, { startMs: T0, endMs: T0 + 1_000, seed: 4 });
  const b = generateAuditEntries(200, { startMs: T0, endMs: T0 + 1_000, seed: 4 });
  expect(a).toEqual(b);
  expect(a).not.toEqual(generateAuditEntries(200, { startMs: T0, endMs: T0 + 1_000, seed: 5 }));
  for (const e of a) {
    const t = eventTimeMs(e) as number;
    expect(t >= T0 && t < T0 + 1_000).toBe(true);
  }
});
