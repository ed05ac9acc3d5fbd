// Bounded by design: a server paging forever, a Retry-After beyond what a run waits, and a
// stop signal while a request hangs or a wait is running.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createCrusoeClient } from "../../src/crusoe/client.ts";
import { MAX_EMPTY_PAGES } from "../../src/crusoe/pages.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { StoppedError } from "../../src/errors.ts";
import { collect, configFor, FAST, HOUR, rejection, T0 } from "./helpers.ts";

// The preload's default does not reach every file (see crash-and-lock.test.ts).
setDefaultTimeout(30_000);

const DATA = generateAuditEntries(250, { startMs: T0, endMs: T0 + HOUR, seed: 8 });
const WINDOW = { startMs: T0, endMs: T0 + HOUR };
let emu: CrusoeEmulator;

beforeAll(async () => {
  emu = await startCrusoeEmulator({ entries: DATA });
});
afterAll(() => emu.close());

describe("endless empty pages", () => {
  test("a few empty pages with fresh tokens are followed; the data arrives complete", async () => {
    emu.fail({ emptyPage: true }, 5);
    const client = createCrusoeClient(configFor(emu), FAST);
    const { items, pages } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    expect(pages).toBe(5 + 3);
  });

  test("empty pages with fresh tokens forever: stops after the bound, naming the server's behaviour", async () => {
    // Exactly as many as the bound: a client that pages on would get the data and succeed.
    emu.fail({ emptyPage: true }, MAX_EMPTY_PAGES);
    const before = emu.requests.length;
    const client = createCrusoeClient(configFor(emu), FAST);
    const err = await rejection(collect(client.pages(WINDOW)));
    expect(err.message).toContain(
      `Crusoe returned ${MAX_EMPTY_PAGES} empty pages in a row, each with a new next_page_token`,
    );
    expect(err.hint).toContain("paging never ends");
    expect(emu.requests.length - before).toBe(MAX_EMPTY_PAGES);
  });
});

describe("Retry-After", () => {
  test("longer than a run waits: fails at once with a message (the next run retries)", async () => {
    emu.fail({ status: 429, retryAfter: "3600" });
    const before = emu.requests.length;
    const client = createCrusoeClient(configFor(emu), { ...FAST, maxRetryAfterMs: 30_000 });
    const err = await rejection(collect(client.pages(WINDOW)));
    expect(err.message).toContain(
      "asked to retry after 3600 s (Retry-After), longer than a run waits (30 s)",
    );
    expect(err.hint).toContain("next run");
    expect(emu.requests.length - before).toBe(1);
  });

  test("as an HTTP date, compared with the answer's own Date header", async () => {
    const skewed = await startCrusoeEmulator({
      entries: DATA,
      dateSkewMs: 3_600_000,
      maxSkewSeconds: 7200,
    });
    try {
      // One second after the server's clock, which runs an hour ahead of ours: a short wait
      // (against the local clock it would read as an hour, and fail).
      skewed.fail({ status: 429, retryAfter: new Date(Date.now() + 3_601_000).toUTCString() });
      const client = createCrusoeClient(configFor(skewed, { pageSize: 1000 }), FAST);
      const { items } = await collect(client.pages(WINDOW));
      expect(items.length).toBe(DATA.length);
    } finally {
      await skewed.close();
    }
  });
});

describe("a stop signal", () => {
  test("aborts a request that hangs: StoppedError, no retry", async () => {
    emu.fail({ hang: true });
    const stop = new AbortController();
    const client = createCrusoeClient(configFor(emu, { timeoutMs: 120_000 }), {
      ...FAST,
      signal: stop.signal,
    });
    const before = emu.requests.length;
    const pending = rejection(collect(client.pages(WINDOW)));
    while (emu.requests.length === before) await Bun.sleep(5);
    stop.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(StoppedError);
    expect(emu.requests.length - before).toBe(1);
  });

  test("ends a backoff wait: no further attempt", async () => {
    emu.fail({ status: 503 });
    const stop = new AbortController();
    const client = createCrusoeClient(configFor(emu), {
      retryBaseMs: 600_000,
      retryMaxMs: 600_000,
      signal: stop.signal,
    });
    const before = emu.requests.length;
    const pending = rejection(collect(client.pages(WINDOW)));
    while (emu.requests.length === before) await Bun.sleep(5);
    await Bun.sleep(200); // the answer has arrived: waiting now
    stop.abort();
    expect(await pending).toBeInstanceOf(StoppedError);
    expect(emu.requests.length - before).toBe(1);
  });
});
