// Bad input is exit 2 with one line naming it, found before any request: the compiled binary
// against the emulators, which must not have seen a single request.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { startWorld, type World } from "../e2e/world.ts";
import { binaryPath, runBinary } from "../helpers/binary.ts";
import { dirWith } from "./fixtures.ts";

// Whole-binary runs take seconds, more on a loaded machine; bun 1.4.5 applies the preload's
// setDefaultTimeout to the first test file only, so each such file sets its own.
setDefaultTimeout(60_000);
let world: World;
beforeAll(async () => {
  world = await startWorld({ events: 50 });
});
afterAll(async () => {
  await world?.close();
});

const files = dirWith({ empty: "", blank: " \n\t\n", pem: "-----BEGIN CERTIFICATE-----\n" });
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("error: "));
const requestsSeen = () => world.crusoe.requests.length + world.hec.requests.length;

describe("exit 2 before any request (Crusoe and HEC emulators see nothing)", () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      "forward-range --start-time yesterday",
      ["forward-range", "--start-time", "yesterday"],
      {},
      /^error: --start-time: "yesterday" is not a time/,
    ],
    [
      "an impossible date is rejected, not rolled into March",
      ["forward-range", "--start-time", "2026-02-30T00:00:00Z"],
      {},
      /^error: --start-time: "2026-02-30T00:00:00Z" is not a time/,
    ],
    [
      "an end before the start",
      ["forward-range", "--start-time", "2026-06-02T00:00:00Z", "--end-time", "2026-06-01"],
      {},
      /^error: --start-time must be before --end-time$/,
    ],
    [
      "an unparseable end",
      ["forward-range", "--start-time", "2026-06-01T00:00:00Z", "--end-time", "soon"],
      {},
      /^error: --end-time: "soon" is not a time/,
    ],
    [
      "forward --start-time garbage",
      ["forward", "--start-time", "last week"],
      {},
      /^error: --start-time: "last week" is not a time/,
    ],
    [
      "REDIS_URL with port 99999",
      ["forward"],
      { REDIS_URL: "redis://:s3cret-pw@127.0.0.1:99999/0" },
      /^error: REDIS_URL: port "99999" is not a number in 1-65535$/,
    ],
    [
      "an empty REDIS_URL_FILE",
      ["forward"],
      { REDIS_URL_FILE: join(files, "empty") },
      /^error: REDIS_URL_FILE: .*empty is empty$/,
    ],
    [
      "a whitespace-only SPLUNK_HEC_TOKEN_FILE",
      ["forward"],
      { SPLUNK_HEC_TOKEN: "", SPLUNK_HEC_TOKEN_FILE: join(files, "blank") },
      /^error: SPLUNK_HEC_TOKEN_FILE: .*blank is empty$/,
    ],
    [
      "a missing SPLUNK_CA_FILE",
      ["forward"],
      { SPLUNK_CA_FILE: "/nonexistent/ca.pem" },
      /^error: SPLUNK_CA_FILE: \/nonexistent\/ca\.pem does not exist$/,
    ],
    [
      "a missing SPLUNK_CLIENT_KEY_FILE",
      ["forward"],
      { SPLUNK_CLIENT_CERT_FILE: join(files, "pem"), SPLUNK_CLIENT_KEY_FILE: "/nonexistent/k.pem" },
      /^error: SPLUNK_CLIENT_KEY_FILE: \/nonexistent\/k\.pem does not exist$/,
    ],
    [
      "--state-dir that is a file",
      ["forward", "--state-dir", join(files, "pem")],
      {},
      /^error: --state-dir: .*pem exists and is not a directory$/,
    ],
    [
      "BATCH_SIZE=1e3",
      ["forward"],
      { BATCH_SIZE: "1e3" },
      /^error: BATCH_SIZE: "1e3" is not a whole number/,
    ],
    ["--lag +5", ["forward", "--lag", "+5"], {}, /^error: --lag: "\+5" is not a whole number/],
    ["--lookback 0x10", ["forward", "--lookback", "0x10"], {}, /^error: --lookback: "0x10" is not/],
    [
      "--chunk 1.5",
      ["forward", "--chunk", "1.5"],
      {},
      /^error: --chunk: "1.5" is not a whole number/,
    ],
    [
      "forward-recent --hours 1e1",
      ["forward-recent", "--hours", "1e1"],
      {},
      /^error: --hours: "1e1" must be a number of hours/,
    ],
  ];

  for (const [what, args, change, message] of cases) {
    test(what, async () => {
      const before = requestsSeen();
      const result = await runBinary(args, { env: { ...world.env, ...change } });
      expect(errorLines(result.stderr)).toHaveLength(1);
      expect(errorLines(result.stderr)[0]).toMatch(message);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain("s3cret-pw");
      expect(requestsSeen()).toBe(before);
    });
  }

  test("with Crusoe down, a bad --start-time is still exit 2 (not a failed run)", async () => {
    const env = { ...world.env, CRUSOE_BASE_URL: "http://127.0.0.1:1/v1" };
    const result = await runBinary(["forward-range", "--start-time", "2026-02-30T00:00:00Z"], {
      env,
    });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([
      'error: --start-time: "2026-02-30T00:00:00Z" is not a time (RFC3339, e.g. 2026-01-02T03:04:05Z, or a UTC date 2026-01-02)',
    ]);
  });

  test("an empty REDIS_URL_FILE never falls back to filesystem state", async () => {
    const stateDir = join(dirWith({}), "state");
    const env = { ...world.env, STATE_DIR: stateDir, REDIS_URL_FILE: join(files, "empty") };
    for (const verb of ["forward", "status", "config-check"]) {
      const result = await runBinary([verb], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("REDIS_URL_FILE:");
    }
    expect(existsSync(stateDir)).toBe(false);
  });

  test("config-check shows the up-front checks too", async () => {
    const env = {
      ...world.env,
      REDIS_URL: "redis://127.0.0.1:99999/0",
      SPLUNK_CA_FILE: "/nonexistent/ca.pem",
      STATE_DIR: join(files, "pem"),
    };
    const result = await runBinary(["config-check", "--json"], { env });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).problems).toEqual([
      'REDIS_URL: port "99999" is not a number in 1-65535',
      `STATE_DIR: ${join(files, "pem")} exists and is not a directory`,
      "SPLUNK_CA_FILE: /nonexistent/ca.pem does not exist",
      // The dead-letter file's default lives in the state dir, so it is named too.
      `DEAD_LETTER_FILE: ${join(files, "pem", "dead-letter.ndjson")} cannot be created: ${join(files, "pem")} is not a directory`,
    ]);
  });
});

describe("dedup-stats --clear", () => {
  test("refuses without --yes (no terminal, as under cron): exit 2, state kept", async () => {
    const stateDir = join(dirWith({}), "state");
    const env = { ...world.env, STATE_DIR: stateDir };
    expect((await runBinary(["forward"], { env })).code).toBe(0);
    const stateFiles = readdirSync(stateDir).sort();
    const refused = await runBinary(["dedup-stats", "--clear"], { env });
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr)).toEqual([
      "error: --clear resets this stream's checkpoint and delivered ids: refusing without --yes",
    ]);
    expect(refused.stderr).toContain("dedup-stats --clear --yes");
    expect(readdirSync(stateDir).sort()).toEqual(stateFiles);
    const stats = JSON.parse((await runBinary(["dedup-stats", "--json"], { env })).stdout);
    expect(stats.checkpoint).not.toBeNull();
    expect(stats.trackedIds).toBe(world.entries.length);
    const cleared = await runBinary(["dedup-stats", "--clear", "--yes"], { env });
    expect(cleared.code).toBe(0);
    const after = JSON.parse((await runBinary(["dedup-stats", "--json"], { env })).stdout);
    expect(after.checkpoint).toBeNull();
  });

  test("refuses without --yes on a terminal too", async () => {
    if (!Bun.which("script")) return console.warn("skipped: no script(1) to give the run a TTY");
    const env = { ...world.env, STATE_DIR: join(dirWith({}), "state") };
    // script(1) runs the binary with a pseudo-terminal on stdin, stdout and stderr.
    const child = Bun.spawn(
      ["script", "-qec", `${binaryPath()} dedup-stats --clear`, "/dev/null"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      expect(code).toBe(2);
      expect(out).toContain("refusing without --yes");
    } finally {
      clearTimeout(timer);
      child.kill();
    }
  });
});

describe("SPLUNK_VERIFY_SSL=false", () => {
  test("a forward run warns once, in one wording", async () => {
    const env = { ...world.env, STATE_DIR: join(dirWith({}), "state"), SPLUNK_VERIFY_SSL: "0" };
    const result = await runBinary(["forward"], { env });
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n").filter((l) => l.includes("VERIFY_SSL"));
    expect(lines).toEqual([
      "warn: SPLUNK_VERIFY_SSL=false: Splunk's certificate is NOT verified; anyone on the path can read the token and events",
    ]);
  });
});
