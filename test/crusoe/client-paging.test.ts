import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createCrusoeClient } from "../../src/crusoe/client.ts";
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { collect, configFor, FAST, HOUR, T0 } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

// Three hours of data; the tests read the middle hour.
const DATA = generateAuditEntries(9_000, { startMs: T0 - HOUR, endMs: T0 + 2 * HOUR, seed: 7 });
const inHour = DATA.filter((e) => {
  const t = eventTimeMs(e) as number;
  return t >= T0 && t < T0 + HOUR;
});
const key = (e: unknown) => JSON.stringify(e);
let emu: CrusoeEmulator;

beforeAll(async () => {
  emu = await startCrusoeEmulator({ entries: DATA });
});
afterAll(() => emu.close());

describe("paging one window", () => {
  test("thousands of events across many pages arrive complete and once", async () => {
    const client = createCrusoeClient(configFor(emu, { pageSize: 97 }), FAST);
    const { items, pages } = await collect(client.pages({ startMs: T0, endMs: T0 + HOUR }));
    expect(inHour.length).toBeGreaterThan(2_500);
    expect(pages).toBeGreaterThan(25);
    expect(items.length).toBe(inHour.length);
    expect(items.map(key).sort()).toEqual(inHour.map(key).sort());
    expect(client.stats).toMatchObject({ pages, entries: items.length, retries: 0 });
    // Every follow-up request carried the previous page's token, with + / = encoded.
    const followUps = emu.requests.filter((r) => r.query.includes("next_token="));
    expect(followUps.length).toBe(pages - 1);
    for (const r of followUps)
      expect(r.query).toMatch(/next_token=%2B%2B%2B%2B%2F%2F%2F%2F[^&]*%3D/);
  });

  test("the data set has what naive identities get wrong: equal start_times, target/result twins", () => {
    const times = inHour.map((e) => e.start_time);
    expect(new Set(times).size).toBeLessThan(times.length);
    const withoutTargets = inHour.map((e) => key({ ...e, target_ids: 0, target_names: 0 }));
    expect(new Set(withoutTargets).size).toBeLessThan(inHour.length);
    expect(new Set(inHour.map(key)).size).toBe(inHour.length);
  });

  test("an empty window is one empty page", async () => {
    const client = createCrusoeClient(configFor(emu), FAST);
    const { items, pages } = await collect(
      client.pages({ startMs: T0 + 10 * HOUR, endMs: T0 + 11 * HOUR }),
    );
    expect({ items: items.length, pages }).toEqual({ items: 0, pages: 1 });
  });

  test.each(["/v1", "/v1alpha5", "/api/crusoe/v1alpha5"])(
    "base URL %p is signed with its real path",
    async (prefix) => {
      const client = createCrusoeClient(
        configFor(emu, { baseUrl: emu.url + prefix, pageSize: 1000 }),
        FAST,
      );
      const { items } = await collect(client.pages({ startMs: T0, endMs: T0 + HOUR }));
      expect(items.length).toBe(inHour.length);
      expect(emu.requests.at(-1)).toMatchObject({
        path: `${prefix}/organizations/${emu.orgId}/audit-logs`,
        status: 200,
      });
    },
  );
});

describe("filters", () => {
  test("values that need encoding (space, comma, +, @, /) are signed right and applied", async () => {
    const filters = {
      actor_types: ["User", "Crusoe Admin"],
      actor_emails: ["grace.hopper+ops@example.com", "support@crusoe.ai"],
      surfaces: ["Crusoe Terraform/v0.5.21", "Console"],
      results_not: ["Bad Request"],
    };
    const client = createCrusoeClient(configFor(emu, { filters, pageSize: 50 }), FAST);
    const { items } = await collect(client.pages({ startMs: T0, endMs: T0 + HOUR }));
    const expected = inHour.filter(
      (e) =>
        filters.actor_types.includes(e.actor_type as string) &&
        filters.actor_emails.includes(e.actor_email as string) &&
        filters.surfaces.includes(e.surface as string) &&
        e.result !== "Bad Request",
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(items.map(key).sort()).toEqual(expected.map(key).sort());
    const wire = emu.requests.at(-1)?.query ?? "";
    expect(wire).toContain("actor_types=User%2CCrusoe+Admin");
    expect(wire).toContain("actor_emails=grace.hopper%2Bops%40example.com%2Csupport%40crusoe.ai");
    expect(wire).toContain("surfaces=Crusoe+Terraform%2Fv0.5.21%2CConsole");
  });

  test("list filters match entries whose lists are arrays or strings", async () => {
    const stringShaped = inHour.find((e) => typeof e.locations === "string") as Record<
      string,
      unknown
    >;
    const location = (stringShaped.locations as string).slice(1, -1);
    const client = createCrusoeClient(
      configFor(emu, { filters: { locations: [location] }, pageSize: 1000 }),
      FAST,
    );
    const { items } = await collect(client.pages({ startMs: T0, endMs: T0 + HOUR }));
    expect(items.map(key)).toContain(key(stringShaped));
    expect(items.some((e) => Array.isArray(e.locations))).toBe(true);
  });
});

test("late-visible events are served only once visible", async () => {
  const late = generateAuditEntries(5, {
    startMs: T0 + 20 * HOUR,
    endMs: T0 + 21 * HOUR,
    seed: 99,
  });
  emu.addEntries(late.slice(0, 2));
  emu.addEntries(late.slice(2), { visibleAfterMs: 60_000 });
  const client = createCrusoeClient(configFor(emu), FAST);
  const { items } = await collect(client.pages({ startMs: T0 + 20 * HOUR, endMs: T0 + 21 * HOUR }));
  expect(items.map(key).sort()).toEqual(late.slice(0, 2).map(key).sort());
});
