import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { checkHecHealth } from "../../src/hec/health.ts";
import { hecConfig } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

let emu: HecEmulator;
afterEach(() => emu.close());

test("healthy HEC and a good token, without writing an event", async () => {
  emu = await startHecEmulator();
  const h = await checkHecHealth(hecConfig(emu));
  expect(h).toMatchObject({ ok: true, healthy: true, tokenOk: true });
  expect(h.detail).toMatch(/healthy.*token accepted/);
  expect(emu.accepted).toHaveLength(0);
  expect(emu.requests.map((r) => [r.path, r.status, r.code])).toEqual([
    ["/services/collector/health", 200, 17],
    ["/services/collector/event", 400, 5],
  ]);
});

test("a bad token is named, and the token never appears in the detail", async () => {
  emu = await startHecEmulator();
  const h = await checkHecHealth(hecConfig(emu, { token: "wrong-token-value" }));
  expect(h).toMatchObject({ ok: false, healthy: true, tokenOk: false });
  expect(h.detail).toMatch(/token invalid/);
  expect(h.detail).not.toContain("wrong-token-value");
});

test("an unhealthy HEC, and ack mode asks the health endpoint about acks", async () => {
  emu = await startHecEmulator({ ack: true });
  emu.setDown(true);
  const h = await checkHecHealth(hecConfig(emu, { ack: true }));
  expect(h.healthy).toBe(false);
  expect(h.ok).toBe(false);
  expect(h.detail).toMatch(/not healthy: HTTP 503 code 18/);
  expect(emu.requests[0]?.path).toBe("/services/collector/health");
  expect(emu.requests[0]?.query).toBe("?ack=true");
});

test("an unreachable HEC says so", async () => {
  emu = await startHecEmulator();
  const config = hecConfig(emu);
  await emu.close();
  emu = await startHecEmulator();
  const h = await checkHecHealth(config);
  expect(h.ok).toBe(false);
  expect(h.detail).toMatch(/cannot reach 127\.0\.0\.1/);
});

test("a proxy answering 200 with a page to the token check is not a good token, and is named", async () => {
  emu = await startHecEmulator();
  emu.fail({ status: 200, body: "<html>Login</html>" });
  const h = await checkHecHealth(hecConfig(emu));
  expect(h).toMatchObject({ ok: false, healthy: true, tokenOk: false });
  expect(h.detail).toMatch(/without a HEC status code.*proxy.*SPLUNK_HEC_URL/);
});

test("a web server answering 200 pages everywhere is not a healthy HEC", async () => {
  emu = await startHecEmulator({ proxyPage: "<html>It works!</html>" });
  const h = await checkHecHealth(hecConfig(emu));
  expect(h).toMatchObject({ ok: false, healthy: false, tokenOk: false });
  expect(h.detail).toMatch(/not healthy: HTTP 200 .*not a HEC answer.*SPLUNK_HEC_URL/);
});
