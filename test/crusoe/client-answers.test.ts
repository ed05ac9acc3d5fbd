import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createCrusoeClient } from "../../src/crusoe/client.ts";
import { CrusoeError } from "../../src/crusoe/errors.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { EXIT } from "../../src/errors.ts";
import { logger } from "../../src/log.ts";
import { collect, configFor, FAST, HOUR, rejection, T0 } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const DATA = generateAuditEntries(500, { startMs: T0, endMs: T0 + HOUR, seed: 5 });
const WINDOW = { startMs: T0, endMs: T0 + HOUR };
const WRONG_SECRET = "c2VjcmV0LXRoYXQtaXMtd3Jvbmc";
let emu: CrusoeEmulator;

beforeAll(async () => {
  emu = await startCrusoeEmulator({ entries: DATA });
});
afterAll(() => emu.close());

async function failure(config = configFor(emu)) {
  const before = emu.requests.length;
  const err = await rejection(collect(createCrusoeClient(config, FAST).pages(WINDOW)));
  return { err, attempts: emu.requests.length - before };
}

describe("answers that are not retried", () => {
  test("401 (wrong secret): signature rejected, with the measured skew, exit 1, no secret", async () => {
    const config = configFor(emu, {
      auth: { kind: "signed", accessKeyId: emu.accessKeyId, secretAccessKey: WRONG_SECRET },
    });
    const { err, attempts } = await failure(config);
    expect(err).toBeInstanceOf(CrusoeError);
    expect(err.message).toContain(
      "signature rejected: check the key pair and this host's clock (skew vs Crusoe: 0s)",
    );
    expect({ status: err.status, exitCode: err.exitCode, attempts }).toEqual({
      status: 401,
      exitCode: EXIT.failed,
      attempts: 1,
    });
    expect(`${err.message} ${err.hint}`).not.toContain(WRONG_SECRET);
  });

  test("403: the key's user must be an org admin", async () => {
    emu.fail({ status: 403 });
    const { err, attempts } = await failure();
    expect(err.message).toContain(`must be an admin of organization ${emu.orgId}`);
    expect({ status: err.status, exitCode: err.exitCode, attempts }).toEqual({
      status: 403,
      exitCode: EXIT.failed,
      attempts: 1,
    });
  });

  test("404 (wrong org): names the org id and the base URL", async () => {
    const orgId = "11111111-2222-3333-4444-555555555555";
    const { err, attempts } = await failure(configFor(emu, { orgId }));
    expect(err.message).toContain(orgId);
    expect(err.message).toContain(emu.baseUrl);
    expect({ status: err.status, exitCode: err.exitCode, attempts }).toEqual({
      status: 404,
      exitCode: EXIT.failed,
      attempts: 1,
    });
  });

  test("a malformed JSON body is an error quoting its first bytes, not an empty page", async () => {
    emu.fail({ malformedJson: true });
    const { err } = await failure();
    expect(err.message).toContain("malformed audit-log page (not JSON)");
    expect(err.message).toContain('{\\"items\\": [{\\"action\\"');
  });

  test("a repeated page token stops with an error instead of looping", async () => {
    emu.fail({ repeatToken: true }, 100);
    const client = createCrusoeClient(configFor(emu, { pageSize: 50 }), FAST);
    const err = await rejection(collect(client.pages(WINDOW)));
    expect(err.message).toContain("repeated a page token after page 2");
    expect(client.stats.requests).toBe(2);
  });
});

describe("servers that ignore next_token", () => {
  test("the same page again with a fresh token stops with an error", async () => {
    let n = 0;
    const server = createServer((_req, res) => {
      res.setHeader("date", new Date().toUTCString());
      res.end(JSON.stringify({ items: DATA.slice(0, 3), next_page_token: `t${++n}` }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const err = await rejection(
      collect(createCrusoeClient(configFor(emu, { baseUrl }), FAST).pages(WINDOW)),
    );
    expect(err.message).toContain("same page twice in a row (page 2)");
    await new Promise((r) => server.close(r));
  });

  test("a 200 without items is an error, not an empty page", async () => {
    const server = createServer((_req, res) => res.end('{"data": []}'));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const err = await rejection(
      collect(createCrusoeClient(configFor(emu, { baseUrl }), FAST).pages(WINDOW)),
    );
    expect(err.message).toContain('no items array); first bytes: "{\\"data\\": []}"');
    await new Promise((r) => server.close(r));
  });
});

describe("clock", () => {
  test("skew is learned from a skewed Date header; serverNow follows it", async () => {
    const skewed = await startCrusoeEmulator({ entries: DATA, dateSkewMs: 120_000 });
    const client = createCrusoeClient(configFor(skewed), FAST);
    expect(client.skewMs).toBeUndefined();
    const serverNow = await client.serverNow();
    expect(Math.abs(serverNow - (Date.now() + 120_000))).toBeLessThan(1_500);
    const probe = await client.probe();
    expect(Math.abs(probe.skewMs - 120_000)).toBeLessThan(1_500);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
    expect(skewed.requests.at(-1)?.query).toContain("limit=1&");
    await skewed.close();
  });

  test("a stale X-Crusoe-Timestamp is rejected: 401 reports the skew", async () => {
    const ahead = await startCrusoeEmulator({
      entries: DATA,
      dateSkewMs: 600_000,
      maxSkewSeconds: 300,
    });
    const err = await rejection(collect(createCrusoeClient(configFor(ahead), FAST).pages(WINDOW)));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/skew vs Crusoe: (599|600|601)s\)/);
    await ahead.close();
  });

  test("the same host clock, corrected by `now`, is accepted again", async () => {
    const ahead = await startCrusoeEmulator({
      entries: DATA,
      dateSkewMs: 600_000,
      maxSkewSeconds: 300,
    });
    const client = createCrusoeClient(configFor(ahead), {
      ...FAST,
      now: () => Date.now() + 600_000,
    });
    const { items } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    await ahead.close();
  });
});

test("legacy CRUSOE_API_TOKEN: unsigned Bearer works, with one warning", async () => {
  const withToken = await startCrusoeEmulator({ entries: DATA, apiToken: "legacy-token-value" });
  const warnings: string[] = [];
  const reporters = logger.options.reporters;
  logger.setReporters([
    { log: (o) => void (o.type === "warn" && warnings.push(String(o.args[0]))) },
  ]);
  try {
    const client = createCrusoeClient(
      configFor(withToken, { auth: { kind: "token", token: "legacy-token-value" }, pageSize: 100 }),
      FAST,
    );
    const { items } = await collect(client.pages(WINDOW));
    expect(items.length).toBe(DATA.length);
    expect(withToken.requests.length).toBeGreaterThan(1);
    expect(withToken.requests.every((r) => r.timestamp === undefined && r.status === 200)).toBe(
      true,
    );
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain("not a documented Crusoe mechanism");
    expect(warnings[0]).not.toContain("legacy-token-value");
  } finally {
    logger.setReporters(reporters);
    await withToken.close();
  }
});
