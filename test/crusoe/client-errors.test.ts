import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCrusoeClient } from "../../src/crusoe/client.ts";
import { CrusoeError } from "../../src/crusoe/errors.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { collect, configFor, FAST, HOUR, rejection, T0 } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const DATA = generateAuditEntries(300, { startMs: T0, endMs: T0 + HOUR, seed: 3 });
const WINDOW = { startMs: T0, endMs: T0 + HOUR };
let emu: CrusoeEmulator;

beforeAll(async () => {
  emu = await startCrusoeEmulator({ entries: DATA });
});
afterAll(() => emu.close());

function lastRequests(n: number) {
  return emu.requests.slice(-n);
}

describe("retries", () => {
  test("recover from 5xx with a fresh timestamp and signature per attempt", async () => {
    emu.fail({ status: 503 }, 1);
    emu.fail({ status: 500 }, 1);
    // Backoff of at least 1 s, so each attempt lands in a new second of X-Crusoe-Timestamp.
    const client = createCrusoeClient(configFor(emu, { pageSize: 1000 }), {
      retryBaseMs: 2_000,
      retryMaxMs: 2_000,
    });
    const { items } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    const [a, b, c] = lastRequests(3);
    expect([a?.status, b?.status, c?.status]).toEqual([503, 500, 200]);
    expect(new Set([a?.timestamp, b?.timestamp, c?.timestamp]).size).toBe(3);
    expect(new Set([a?.signature, b?.signature, c?.signature]).size).toBe(3);
    expect(client.stats.retries).toBe(2);
  });

  test("429 honours Retry-After seconds, then succeeds with a new signature", async () => {
    emu.fail({ status: 429, retryAfter: "1" });
    const client = createCrusoeClient(configFor(emu, { pageSize: 1000 }), FAST);
    const { items } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    const [a, b] = lastRequests(2);
    expect([a?.status, b?.status]).toEqual([429, 200]);
    // Waited the second it was told to (FAST backoff alone would retry within milliseconds).
    expect(
      Date.parse(b?.timestamp as string) - Date.parse(a?.timestamp as string),
    ).toBeGreaterThanOrEqual(1_000);
    expect(a?.signature).not.toBe(b?.signature);
  });

  test("429 with an HTTP-date Retry-After is honoured too", async () => {
    emu.fail({ status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString() });
    const client = createCrusoeClient(configFor(emu, { pageSize: 1000 }), FAST);
    const { items } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    const [a, b] = lastRequests(2);
    expect(Date.parse(b?.timestamp as string)).toBeGreaterThan(Date.parse(a?.timestamp as string));
  });

  test("MAX_RETRIES is honoured: give up after 1 + maxRetries attempts", async () => {
    emu.fail({ status: 502 }, 3);
    const before = emu.requests.length;
    const client = createCrusoeClient(configFor(emu, { maxRetries: 2 }), FAST);
    const err = await rejection(collect(client.pages(WINDOW)));
    expect(err).toBeInstanceOf(CrusoeError);
    expect(err.message).toContain("502");
    expect(err.message).toContain("after 3 attempts");
    expect(emu.requests.length - before).toBe(3);
  });

  test("connection errors are retried, then reported", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const client = createCrusoeClient(
      configFor(emu, { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1 }),
      FAST,
    );
    const err = await rejection(collect(client.pages(WINDOW)));
    expect(err.message).toMatch(/Crusoe request failed: connection failed.*after 2 attempts/);
    expect(client.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  test("REQUEST_TIMEOUT is honoured for a server that never answers", async () => {
    let seen = 0;
    const hang: Server = createServer(() => {
      seen++;
    });
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const port = (hang.address() as AddressInfo).port;
    const config = configFor(emu, {
      baseUrl: `http://127.0.0.1:${port}/v1`,
      timeoutMs: 200,
      maxRetries: 1,
    });
    const err = await rejection(collect(createCrusoeClient(config, FAST).pages(WINDOW)));
    expect(err.message).toContain("no answer within 0.2s (REQUEST_TIMEOUT)");
    expect(seen).toBe(2);
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });
});
