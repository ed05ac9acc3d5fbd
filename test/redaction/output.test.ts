// Everything the binary prints, at every log level and on every error path, is grepped for
// each secret it was given: keys, tokens, the Redis password and the request signatures.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { emulatorEnv } from "../../src/emulators/config.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { tempDir } from "../config/fixtures.ts";
import { type RunResult, runBinary } from "../helpers/binary.ts";

const SECRET_KEY = "RedactMe_SecretAccessKey-0123456789";
const WRONG_SECRET_KEY = "WrongMe_SecretAccessKey-9876543210";
const HEC_TOKEN = "redact-me-hec-token-5b3c2f4e9a1d";
const WRONG_HEC_TOKEN = "wrong-me-hec-token-77e0c1d2b3a4";
const API_TOKEN = "redact-me-api-token-0c4f7a19e2";
const WRONG_API_TOKEN = "wrong-me-api-token-3d5b8e6f01";
const REDIS_PASSWORD = "s3cretPassw0rd";
const REDIS_URL = `redis://:${REDIS_PASSWORD}@127.0.0.1:1/0`;
/** Not a registered secret: only the URL shape can hide it. */
const URL_PASSWORD = "hunter2hunter2";
const SECRETS = [
  SECRET_KEY,
  WRONG_SECRET_KEY,
  HEC_TOKEN,
  WRONG_HEC_TOKEN,
  API_TOKEN,
  WRONG_API_TOKEN,
  REDIS_PASSWORD,
  URL_PASSWORD,
];

// The first run builds the binary (seconds on a busy machine); the preload's default does not
// reach this file's beforeAll.
setDefaultTimeout(120_000);
let crusoe: CrusoeEmulator;
let hec: HecEmulator;
const runs: { name: string; expectCode: number; result: RunResult }[] = [];

function env(change: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...emulatorEnv(crusoe, hec, join(tempDir("csh-redact-"), "state")), ...change };
}

async function run(name: string, expectCode: number, args: string[], runEnv = env()) {
  const result = await runBinary(args, { env: runEnv, timeoutMs: 20_000 });
  runs.push({ name, expectCode, result });
  return result;
}

const DEBUG = ["--log-level", "debug", "--verbose"];
const tokenAuth = (token: string) => ({
  CRUSOE_ACCESS_KEY_ID: undefined,
  CRUSOE_SECRET_ACCESS_KEY: undefined,
  CRUSOE_API_TOKEN: token,
});

beforeAll(async () => {
  const now = Date.now();
  crusoe = await startCrusoeEmulator({
    entries: generateAuditEntries(50, { startMs: now - 300_000, endMs: now - 60_000 }),
    secretAccessKey: SECRET_KEY,
    apiToken: API_TOKEN,
  });
  hec = await startHecEmulator({ token: HEC_TOKEN });

  // config-check: every secret at once (both auth methods, so exit 2), text and JSON.
  const all = env({ CRUSOE_API_TOKEN: API_TOKEN, REDIS_URL });
  await run("config-check (text)", 2, ["config-check", ...DEBUG], all);
  await run("config-check --json", 2, ["config-check", "--json", ...DEBUG], all);
  await run("config-check --log-format json", 2, ["config-check", "--log-format", "json"], all);
  await run("config-check valid", 0, ["config-check", "--verbose"], env({ REDIS_URL }));
  // A password inside an http URL (refused), valid-looking and unparseable.
  const badHec = env({ SPLUNK_HEC_URL: `https://admin:${URL_PASSWORD}@[splunk` });
  await run("config-check --json, unparseable URL", 2, ["config-check", "--json"], badHec);
  await run("config-check, unparseable URL", 2, ["config-check"], badHec);
  await run("forward, unparseable URL", 2, ["forward"], badHec);
  const credsUrl = env({ CRUSOE_BASE_URL: `https://svc:${URL_PASSWORD}@api.example/v1` });
  await run("config-check --json, URL with password", 2, ["config-check", "--json"], credsUrl);
  await run("config-check, URL with password", 2, ["config-check"], credsUrl);

  // health: the happy path, then each credential wrong, then an unreachable Redis.
  await run("health", 0, ["health", ...DEBUG]);
  await run("health --json", 0, ["health", "--json", ...DEBUG]);
  await run(
    "health, wrong HEC token",
    1,
    ["health", ...DEBUG],
    env({ SPLUNK_HEC_TOKEN: WRONG_HEC_TOKEN }),
  );
  await run(
    "health --json, wrong HEC token",
    1,
    ["health", "--json"],
    env({ SPLUNK_HEC_TOKEN: WRONG_HEC_TOKEN }),
  );
  await run(
    "health, wrong secret",
    1,
    ["health", ...DEBUG],
    env({ CRUSOE_SECRET_ACCESS_KEY: WRONG_SECRET_KEY }),
  );
  await run("health, API token", 0, ["health", ...DEBUG], env(tokenAuth(API_TOKEN)));
  await run("health, wrong API token", 1, ["health", ...DEBUG], env(tokenAuth(WRONG_API_TOKEN)));
  await run("health, Redis closed", 1, ["health", ...DEBUG], env({ REDIS_URL }));

  // forward: a full delivery at debug level, then the error paths.
  await run("forward", 0, ["forward", ...DEBUG]);
  await run("forward, JSON logs", 0, ["forward", "--log-format", "json", ...DEBUG]);
  crusoe.fail({ status: 401 }, 1);
  await run("forward, Crusoe 401", 1, ["forward", ...DEBUG]);
  await run(
    "forward, wrong secret",
    1,
    ["forward", ...DEBUG],
    env({ CRUSOE_SECRET_ACCESS_KEY: WRONG_SECRET_KEY }),
  );
  await run("forward, wrong API token", 1, ["forward", ...DEBUG], env(tokenAuth(WRONG_API_TOKEN)));
  await run("forward, API token", 0, ["forward", ...DEBUG], env(tokenAuth(API_TOKEN)));
  await run(
    "forward, wrong HEC token",
    1,
    ["forward", ...DEBUG],
    env({ SPLUNK_HEC_TOKEN: WRONG_HEC_TOKEN }),
  );
  await run("forward, Redis closed", 1, ["forward", ...DEBUG], env({ REDIS_URL }));
  await run(
    "forward, Redis closed, JSON logs",
    1,
    ["forward", "--log-format", "json", ...DEBUG],
    env({ REDIS_URL }),
  );
  await run("status, Redis closed", 1, ["status", ...DEBUG], env({ REDIS_URL }));
  await run("dedup-stats, Redis closed", 1, ["dedup-stats", ...DEBUG], env({ REDIS_URL }));
});

afterAll(async () => {
  await crusoe?.close();
  await hec?.close();
});

describe("no secret in any output", () => {
  test("the runs did what they were meant to (so the grep below means something)", () => {
    const failed = runs
      .filter((r) => r.result.code !== r.expectCode)
      .map((r) => `${r.name}: exit ${r.result.code}, stderr ${r.result.stderr}`);
    expect(failed).toEqual([]);
    // Three successful forwards delivered the 50 events (dedup keeps state per run dir).
    expect(hec.acceptedCount).toBe(150);
    // The error paths printed something to grep.
    const byName = (name: string) => runs.find((r) => r.name === name)?.result as RunResult;
    expect(byName("forward, Crusoe 401").stderr).toContain("401");
    expect(byName("forward, wrong HEC token").stderr).not.toBe("");
    expect(byName("health, Redis closed").stdout).toContain("cannot reach Redis");
    expect(byName("config-check (text)").stdout).toContain("REDIS_URL");
  });

  test("--log-format json: every stderr line is one JSON object, stack traces included", () => {
    const jsonRuns = runs.filter((r) => /json/i.test(r.name) && !r.name.includes("--json"));
    expect(jsonRuns.length).toBe(3);
    const bad: string[] = [];
    for (const { name, result } of jsonRuns) {
      for (const line of result.stderr.split("\n").filter(Boolean)) {
        try {
          JSON.parse(line);
        } catch {
          bad.push(`${name}: ${line}`);
        }
      }
    }
    expect(bad).toEqual([]);
    const verbose = runs.find(
      (r) => r.name === "forward, Redis closed, JSON logs",
    ) as (typeof runs)[0];
    expect(verbose.result.stderr).toContain("backend-redis.ts"); // --verbose: the stack, as JSON
  });

  test("every signature the emulator saw is absent too", () => {
    const signatures = crusoe.requests.map((r) => r.signature).filter(Boolean) as string[];
    expect(signatures.length).toBeGreaterThan(5);
    const leaks: string[] = [];
    for (const { name, result } of runs) {
      const printed = result.stdout + result.stderr;
      for (const signature of signatures)
        if (printed.includes(signature)) leaks.push(`${name}: ${signature}`);
    }
    expect(leaks).toEqual([]);
  });

  test("no key, token or password, in any run, on stdout or stderr", () => {
    const leaks: string[] = [];
    for (const { name, result } of runs) {
      for (const [stream, text] of [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
      ]) {
        for (const secret of SECRETS)
          if (text?.includes(secret)) leaks.push(`${name} ${stream}: ${secret}`);
        if (/Splunk [0-9a-z-]{8,}|Bearer (?!1\.0:)[^\s[]{8,}/.test(text ?? ""))
          leaks.push(`${name} ${stream}: auth header`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
