// config-check, flags and exit codes through the real compiled binary, from a temp directory.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunResult, runBinary } from "../helpers/binary.ts";
import { dirWith, HEC_TOKEN, KEY_ID, ORG_ID, SECRET, tempDir } from "./fixtures.ts";

// bun 1.4.5 applies the preload's setDefaultTimeout to the first test file only.
setDefaultTimeout(60_000);

interface Row {
  name: string;
  value: string | null;
  origin: string;
}
interface Check {
  ok: boolean;
  problems: string[];
  warnings: string[];
  settings: Row[];
  envFile: string | null;
}

/** Valid, and pointing at closed loopback ports so that nothing can reach the network. */
function baseEnv(): Record<string, string> {
  return {
    CRUSOE_ORG_ID: ORG_ID,
    CRUSOE_ACCESS_KEY_ID: KEY_ID,
    CRUSOE_SECRET_ACCESS_KEY: SECRET,
    CRUSOE_BASE_URL: "http://127.0.0.1:1/v1",
    SPLUNK_HEC_URL: "http://127.0.0.1:1",
    SPLUNK_HEC_TOKEN: HEC_TOKEN,
    STATE_DIR: join(tempDir(), "state"),
  };
}

function withEnv(change: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...baseEnv(), ...change };
}

async function checkJson(args: string[], options: Parameters<typeof runBinary>[1] = {}) {
  const result = await runBinary(["config-check", "--json", ...args], options);
  const body = JSON.parse(result.stdout) as Check;
  const row = (name: string) => body.settings.find((r) => r.name === name) as Row;
  return { result, body, row };
}

/** Lines a user reads on stderr, by kind. */
const errorLines = (r: RunResult) => r.stderr.split("\n").filter((l) => l.startsWith("error: "));
const warnLines = (r: RunResult) => r.stderr.split("\n").filter((l) => l.startsWith("warn: "));

describe("precedence through config-check --json", () => {
  test("flag > env > ./.env > default, each with its origin", async () => {
    const cwd = dirWith({
      ".env": "BATCH_SIZE=300\nSPLUNK_SOURCE=src-file\nSPLUNK_INDEX=idx-file\n",
    });
    const { result, body, row } = await checkJson(["--batch-size", "400"], {
      cwd,
      env: withEnv({ BATCH_SIZE: "200", SPLUNK_SOURCE: "src-env" }),
    });
    expect(result.code).toBe(0);
    expect(body.ok).toBe(true);
    expect(body.envFile).toBe(join(cwd, ".env"));
    expect(row("BATCH_SIZE")).toEqual({ name: "BATCH_SIZE", value: "400", origin: "flag" });
    expect(row("SPLUNK_SOURCE")).toMatchObject({ value: "src-env", origin: "env (SPLUNK_SOURCE)" });
    expect(row("SPLUNK_INDEX")).toMatchObject({
      value: "idx-file",
      origin: "env file (SPLUNK_INDEX)",
    });
    expect(row("SPLUNK_SOURCETYPE")).toMatchObject({ value: "crusoe:audit", origin: "default" });
  });

  test("--env-file PATH is used instead of ./.env", async () => {
    const cwd = dirWith({ ".env": "SPLUNK_INDEX=idx-dotenv\n" });
    const other = join(dirWith({ "prod.env": "SPLUNK_INDEX=idx-prod\n" }), "prod.env");
    const { result, body, row } = await checkJson(["--env-file", other], { cwd, env: baseEnv() });
    expect(result.code).toBe(0);
    expect(body.envFile).toBe(other);
    expect(row("SPLUNK_INDEX")).toMatchObject({
      value: "idx-prod",
      origin: "env file (SPLUNK_INDEX)",
    });
  });

  test("every secret from NAME_FILE: origin names the _FILE variable, value never shown", async () => {
    const dir = dirWith({
      hec: "file-hec-token-ABCDEF\n",
      key: `${SECRET}\n`,
      redis: "redis://:file-redis-pw-XYZ@127.0.0.1:1/0\n",
    });
    const env = withEnv({
      SPLUNK_HEC_TOKEN: undefined,
      CRUSOE_SECRET_ACCESS_KEY: undefined,
      SPLUNK_HEC_TOKEN_FILE: join(dir, "hec"),
      CRUSOE_SECRET_ACCESS_KEY_FILE: join(dir, "key"),
      REDIS_URL_FILE: join(dir, "redis"),
    });
    const { result, body, row } = await checkJson([], { env });
    expect(result.code).toBe(0);
    expect(row("SPLUNK_HEC_TOKEN")).toMatchObject({
      value: "[redacted]",
      origin: "env (SPLUNK_HEC_TOKEN_FILE)",
    });
    expect(row("CRUSOE_SECRET_ACCESS_KEY").origin).toBe("env (CRUSOE_SECRET_ACCESS_KEY_FILE)");
    expect(row("REDIS_URL")).toMatchObject({
      value: "redis://:[redacted]@127.0.0.1:1/0",
      origin: "env (REDIS_URL_FILE)",
    });
    const all = result.stdout + result.stderr;
    for (const secret of ["file-hec-token-ABCDEF", SECRET, "file-redis-pw-XYZ"])
      expect(all).not.toContain(secret);
    expect(body.problems).toEqual([]);

    // CRUSOE_API_TOKEN_FILE: the legacy method alone (the key pair would be "both methods").
    writeFileSync(join(dir, "api"), "file-api-token-123\n");
    const legacy = await checkJson([], {
      env: withEnv({
        CRUSOE_ACCESS_KEY_ID: undefined,
        CRUSOE_SECRET_ACCESS_KEY: undefined,
        CRUSOE_API_TOKEN_FILE: join(dir, "api"),
      }),
    });
    expect(legacy.result.code).toBe(0);
    expect(legacy.row("CRUSOE_API_TOKEN")).toMatchObject({
      value: "[redacted]",
      origin: "env (CRUSOE_API_TOKEN_FILE)",
    });
    expect(legacy.result.stdout).not.toContain("file-api-token-123");
  });
});

describe("exit 2 with one line naming the problem", () => {
  const dir = dirWith({ token: "t" });
  const cases: [string, string[], Record<string, string | undefined>, RegExp][] = [
    [
      "NAME and NAME_FILE both set",
      [],
      { SPLUNK_HEC_TOKEN_FILE: join(dir, "token") },
      /SPLUNK_HEC_TOKEN and SPLUNK_HEC_TOKEN_FILE are both set/,
    ],
    [
      "unreadable *_FILE",
      [],
      { SPLUNK_HEC_TOKEN: undefined, SPLUNK_HEC_TOKEN_FILE: "/nonexistent/hec-token" },
      /^error: SPLUNK_HEC_TOKEN_FILE: cannot read \/nonexistent\/hec-token/,
    ],
    [
      "unreadable CRUSOE_SECRET_ACCESS_KEY_FILE",
      [],
      { CRUSOE_SECRET_ACCESS_KEY: undefined, CRUSOE_SECRET_ACCESS_KEY_FILE: dir },
      /^error: CRUSOE_SECRET_ACCESS_KEY_FILE: cannot read/,
    ],
    [
      "missing --env-file",
      ["--env-file", "/nonexistent/prod.env"],
      {},
      /^error: --env-file \/nonexistent\/prod\.env: cannot read/,
    ],
    [
      "org id not a UUID",
      [],
      { CRUSOE_ORG_ID: "acme-org" },
      /^error: CRUSOE_ORG_ID: "acme-org" is not a UUID$/,
    ],
    [
      "secret not base64url",
      [],
      { CRUSOE_SECRET_ACCESS_KEY: "AAEC+wQF/gcICQ==" },
      /^error: CRUSOE_SECRET_ACCESS_KEY: not base64url/,
    ],
    [
      "CRUSOE_BASE_URL not http(s)",
      [],
      { CRUSOE_BASE_URL: "ftp://api.example/v1" },
      /^error: CRUSOE_BASE_URL: must be http:\/\/ or https:\/\//,
    ],
    [
      "SPLUNK_HEC_URL not http(s)",
      [],
      { SPLUNK_HEC_URL: "splunk.example:8088" },
      /^error: SPLUNK_HEC_URL: /,
    ],
    ["BATCH_SIZE=0", [], { BATCH_SIZE: "0" }, /^error: BATCH_SIZE: 0 is out of range/],
    [
      "CRUSOE_PAGE_SIZE=5000",
      [],
      { CRUSOE_PAGE_SIZE: "5000" },
      /^error: CRUSOE_PAGE_SIZE: 5000 is out of range/,
    ],
    [
      "REQUEST_TIMEOUT=abc",
      [],
      { REQUEST_TIMEOUT: "abc" },
      /^error: REQUEST_TIMEOUT: "abc" is not a number \(e.g. 30 or 2.5\)$/,
    ],
    ["MAX_RETRIES=-1", [], { MAX_RETRIES: "-1" }, /^error: MAX_RETRIES: -1 is out of range/],
    [
      "--batch-size 0 (a flag)",
      ["--batch-size", "0"],
      {},
      /^error: --batch-size: 0 is out of range/,
    ],
    [
      "both auth methods",
      [],
      { CRUSOE_API_TOKEN: "legacy-token-1" },
      /^error: CRUSOE_API_TOKEN and CRUSOE_ACCESS_KEY_ID\/CRUSOE_SECRET_ACCESS_KEY are both set/,
    ],
    ["unknown sink", ["--sink", "kafka"], {}, /^error: --sink: "kafka" is not one of hec, stdout$/],
    ["unknown SINK", [], { SINK: "kafka" }, /^error: SINK: "kafka" is not one of hec, stdout$/],
    [
      "bad bool",
      [],
      { SPLUNK_VERIFY_SSL: "maybe" },
      /^error: SPLUNK_VERIFY_SSL: "maybe" is not a boolean \(true\/false, 1\/0, yes\/no, on\/off\)$/,
    ],
    [
      "bad REDIS_URL scheme",
      [],
      { REDIS_URL: "http://cache:6379" },
      /^error: REDIS_URL: must start with redis:\/\/ or rediss:\/\//,
    ],
    [
      "cert without key",
      [],
      { SPLUNK_CLIENT_CERT_FILE: join(dir, "token") },
      /^error: SPLUNK_CLIENT_CERT_FILE and SPLUNK_CLIENT_KEY_FILE go together/,
    ],
  ];

  for (const [what, args, change, message] of cases) {
    test(`${what}: config-check and forward both refuse`, async () => {
      const env = withEnv(change);
      const [check, forward] = await Promise.all([
        runBinary(["config-check", ...args], { env }),
        runBinary(["forward", ...args], { env }),
      ]);
      for (const result of [check, forward]) {
        expect(result.code).toBe(2);
        const errors = errorLines(result);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(message);
      }
      expect(forward.stdout).toBe("");
    });
  }

  test("neither auth method: exit 2, the missing variables named", async () => {
    const env = withEnv({ CRUSOE_ACCESS_KEY_ID: undefined, CRUSOE_SECRET_ACCESS_KEY: undefined });
    const result = await runBinary(["config-check"], { env });
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual([
      "error: CRUSOE_ACCESS_KEY_ID is not set",
      "error: CRUSOE_SECRET_ACCESS_KEY is not set (or CRUSOE_SECRET_ACCESS_KEY_FILE)",
    ]);
    const forward = await runBinary(["forward"], { env });
    expect(forward.code).toBe(2);
    expect(errorLines(forward)).toEqual(["error: CRUSOE_ACCESS_KEY_ID is not set"]);
    expect(forward.stderr).toContain("hint: 1 more problem(s): run config-check");
  });

  test("config-check --json reports problems as data, still exit 2", async () => {
    const { result, body } = await checkJson([], { env: withEnv({ MAX_RETRIES: "-1" }) });
    expect(result.code).toBe(2);
    expect(body.ok).toBe(false);
    expect(body.problems).toEqual(["MAX_RETRIES: -1 is out of range (0..20)"]);
  });

  test("unknown flag: forward --lookbak 5", async () => {
    const result = await runBinary(["forward", "--lookbak", "5"], { env: baseEnv() });
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual(["error: unknown flag --lookbak for forward"]);
    const eq = await runBinary(["config-check", "--batchsize=5"], { env: baseEnv() });
    expect(eq.code).toBe(2);
    expect(errorLines(eq)).toEqual(["error: unknown flag --batchsize for config-check"]);
  });

  test("a stray positional argument", async () => {
    const result = await runBinary(["forward", "--lookback", "60", "extra"], { env: baseEnv() });
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual(['error: unexpected argument "extra" for forward']);
  });
});

describe("allowed, with a warning", () => {
  test("plain http to a non-loopback host: exit 0 and a warning naming it", async () => {
    const env = withEnv({ SPLUNK_HEC_URL: "http://splunk.example.com:8088" });
    const result = await runBinary(["config-check"], { env });
    expect(result.code).toBe(0);
    expect(errorLines(result)).toEqual([]);
    expect(warnLines(result)).toEqual([
      "warn: SPLUNK_HEC_URL uses plain http to splunk.example.com:8088: the HEC token travels unencrypted",
    ]);
  });

  test("SPLUNK_VERIFY_SSL=false: warned by config-check and by every other verb", async () => {
    const env = withEnv({ SPLUNK_VERIFY_SSL: "false" });
    for (const verb of ["config-check", "status"]) {
      const result = await runBinary([verb], { env });
      expect(result.code).toBe(0);
      expect(warnLines(result)).toHaveLength(1);
      expect(warnLines(result)[0]).toStartWith("warn: SPLUNK_VERIFY_SSL=false:");
    }
  });

  test("a valid full configuration: exit 0, nothing on stderr", async () => {
    const pems = dirWith({ "c.pem": "cert\n", "c.key": "key\n" });
    const env = withEnv({
      SPLUNK_HEC_URL: "https://splunk.example.com:8088/services/collector/event",
      CRUSOE_BASE_URL: "https://api.cloud.crusoe.ai/v1",
      SPLUNK_INDEX: "crusoe",
      BATCH_SIZE: "500",
      CRUSOE_PAGE_SIZE: "1000",
      REQUEST_TIMEOUT: "12.5",
      MAX_RETRIES: "0",
      SPLUNK_HEC_ACK: "true",
      SPLUNK_CLIENT_CERT_FILE: join(pems, "c.pem"),
      SPLUNK_CLIENT_KEY_FILE: join(pems, "c.key"),
      REDIS_URL: "rediss://:pw-valid-1234@cache.internal:6380/1",
      CRUSOE_FILTER_ACTIONS: "Create,Update",
    });
    const text = await runBinary(["config-check"], { env });
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(text.stdout).toMatch(/^SPLUNK_INDEX +crusoe +\(env \(SPLUNK_INDEX\)\)$/m);
    const { result, body } = await checkJson([], { env });
    expect(result.code).toBe(0);
    expect(body).toMatchObject({ ok: true, problems: [], warnings: [] });
  });
});

describe("the binary loads no .env or bunfig.toml behind the loader's back", () => {
  test("bunfig preload does not run; .env values arrive as 'env file', .env.* not at all", async () => {
    const cwd = dirWith({
      ".env": "SPLUNK_SOURCE=from-dotenv\n",
      ".env.local": "SPLUNK_INDEX=from-dotenv-local\n",
      ".env.development": "SPLUNK_HOST=from-dotenv-development\n",
      ".env.production": "SPLUNK_HOST=from-dotenv-production\n",
      "evil.ts": `require("node:fs").writeFileSync(${JSON.stringify("MARKER")}, "preloaded");\n`,
      "bunfig.toml": 'preload = ["./evil.ts"]\nenv = true\n[run]\npreload = ["./evil.ts"]\n',
    });
    const marker = join(cwd, "MARKER");
    writeFileSync(
      join(cwd, "evil.ts"),
      `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "preloaded");\n`,
    );
    const { result, row } = await checkJson([], { cwd, env: baseEnv() });
    expect(result.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(row("SPLUNK_SOURCE")).toMatchObject({
      value: "from-dotenv",
      origin: "env file (SPLUNK_SOURCE)",
    });
    expect(row("SPLUNK_INDEX")).toMatchObject({ value: null, origin: "unset" });
    expect(row("SPLUNK_HOST")).toMatchObject({ value: null, origin: "unset" });
  });
});

describe("version, help and commands", () => {
  test("--version prints version, build target and revision", async () => {
    const result = await runBinary(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^crusoe-splunk-hec \d+\.\d+\.\d+\S* \(bun-linux-x64, ([0-9a-f]{7,}|unknown)\)\n$/,
    );
  });

  test("--help exits 0 and lists the commands; a verb's --help lists its flags", async () => {
    const [top, verb] = await Promise.all([
      runBinary(["--help"]),
      runBinary(["forward", "--help"]),
    ]);
    expect(top.code).toBe(0);
    for (const command of ["forward", "forward-range", "daemon", "health", "config-check"])
      expect(top.stdout).toContain(command);
    expect(verb.code).toBe(0);
    expect(verb.stdout).toContain("--lookback");
  });

  test("no arguments: usage and exit 2", async () => {
    const result = await runBinary([]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain("config-check");
  });

  test("unknown command: exit 2 naming it, in plain text", async () => {
    const result = await runBinary(["forwrd"]);
    expect(result.code).toBe(2);
    expect(errorLines(result)).toEqual(["error: Unknown command forwrd"]);
  });
});

describe("logging flags", () => {
  const insecure = () => withEnv({ SPLUNK_VERIFY_SSL: "false" });

  test("--quiet keeps warnings; --log-level error and LOG_LEVEL=error drop them", async () => {
    const [quiet, flag, variable] = await Promise.all([
      runBinary(["status", "--quiet"], { env: insecure() }),
      runBinary(["status", "--log-level", "error"], { env: insecure() }),
      runBinary(["status"], { env: { ...insecure(), LOG_LEVEL: "error" } }),
    ]);
    expect(warnLines(quiet)).toHaveLength(1);
    expect(flag.stderr).toBe("");
    expect(variable.stderr).toBe("");
    for (const result of [quiet, flag, variable]) expect(result.code).toBe(0);
  });

  test("--log-format json: one object per line with time, level and msg", async () => {
    const result = await runBinary(["status", "--log-format", "json"], { env: insecure() });
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toMatchObject({ level: "warn" });
    expect(entry.msg).toStartWith("SPLUNK_VERIFY_SSL=false:");
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });

  test("an error is one line plus a hint; the stack only with --verbose", async () => {
    const env = withEnv({ REDIS_URL: "redis://127.0.0.1:1/0" });
    const [plain, verbose] = await Promise.all([
      runBinary(["status"], { env }),
      runBinary(["status", "--verbose"], { env }),
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/),
      expect.stringMatching(/^hint: /),
    ]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at .+\.ts:\d+/);
  });
});
