// TLS options reach the runtime's fetch: verification on by default, a CA file, a server-name
// override, a client certificate, and the loudly-warned switch to skip verification.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HecTlsConfig } from "../../src/config/types.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { checkHecHealth } from "../../src/hec/health.ts";
import { hecConfig, ids, makeEvents, sinkFor } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasOpenssl) console.warn("test/hec/tls.test.ts: openssl not found, TLS tests skipped");

const dir = mkdtempSync(join(tmpdir(), "hec-tls-"));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });

/** A CA, a server certificate for splunk.test only, and a client certificate, all signed by it. */
function makeCertificates(): void {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
  );
  writeFileSync(file("server.ext"), "subjectAltName=DNS:splunk.test\n");
  for (const [name, ext] of [
    ["server", ["-extfile", "server.ext"]],
    ["client", []],
  ] as const) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      ...ext,
    );
  }
}

describe.skipIf(!hasOpenssl)("TLS", () => {
  let emu: HecEmulator;
  beforeAll(async () => {
    makeCertificates();
    const read = (n: string) => readFileSync(file(n), "utf8");
    emu = await startHecEmulator({
      tls: {
        cert: read("server.pem"),
        key: read("server.key"),
        ca: read("ca.pem"),
        requestCert: true,
      },
    });
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = { certFile: file("client.pem"), keyFile: file("client.key") };
  const health = (tls: HecTlsConfig) => checkHecHealth(hecConfig(emu, { tls }));

  test("verification is on: a certificate from an unknown CA is refused", async () => {
    const h = await health({ verify: true, ...client });
    expect(h.ok).toBe(false);
    expect(h.detail).toMatch(/cannot reach/);
  });

  test("CA file + server-name override + client certificate: healthy and delivering", async () => {
    const tls = { verify: true, caFile: file("ca.pem"), serverName: "splunk.test", ...client };
    expect((await health(tls)).ok).toBe(true);
    const sink = sinkFor(emu, { tls });
    const batch = makeEvents(3);
    expect((await sink.send(batch)).delivered).toEqual(ids(batch));
    await sink.close();
  });

  test("the CA alone is not enough when the name does not match", async () => {
    expect((await health({ verify: true, caFile: file("ca.pem"), ...client })).ok).toBe(false);
  });

  test("verify=false connects to anything", async () => {
    expect((await health({ verify: false, ...client })).ok).toBe(true);
  });

  test("without the client certificate the server refuses", async () => {
    expect((await health({ verify: false })).ok).toBe(false);
  });
});
