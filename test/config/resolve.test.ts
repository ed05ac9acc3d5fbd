import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { UsageError } from "../../src/errors.ts";
import {
  HEC_TOKEN,
  KEY_ID,
  load,
  NEEDS_ALL,
  ORG_ID,
  problemsWith,
  SECRET,
  tempDir,
  validEnv,
} from "./fixtures.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

describe("a valid configuration", () => {
  test("resolves fully defaulted, with no problems and no warnings", () => {
    const { config, problems, warnings, extras } = load({ env: validEnv("/srv/state") });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config.crusoe).toEqual({
      baseUrl: "https://api.cloud.crusoe.ai/v1",
      orgId: ORG_ID,
      auth: { kind: "signed", accessKeyId: KEY_ID, secretAccessKey: SECRET },
      pageSize: 100,
      timeoutMs: 30_000,
      maxRetries: 3,
      filters: {},
    });
    expect(config.hec).toMatchObject({
      url: "https://splunk.example.com:8088/",
      token: HEC_TOKEN,
      source: "crusoe_api",
      sourcetype: "crusoe:audit",
      tls: { verify: true },
      batchSize: 10_000,
      gzip: true,
      ack: false,
    });
    expect(config.hec.index).toBeUndefined();
    expect(config.sink).toBe("hec");
    expect(config.state).toMatchObject({
      dir: "/srv/state",
      deadLetterFile: "/srv/state/dead-letter.ndjson",
    });
    expect(config.window).toEqual({
      lookbackSeconds: 600,
      overlapSeconds: 300,
      lagSeconds: 15,
      chunkSeconds: 3600,
      concurrency: 1,
      dedupRetentionSeconds: 86_400,
      dedupBufferSeconds: 60,
      dedupEnabled: true,
    });
    expect(extras).toEqual({
      interval: 300,
      logLevel: "info",
      logFormat: "text",
    });
  });

  test("the legacy CRUSOE_API_TOKEN alone is a valid auth method", () => {
    const { config, problems } = load({
      env: {
        ...validEnv(),
        CRUSOE_ACCESS_KEY_ID: undefined,
        CRUSOE_SECRET_ACCESS_KEY: undefined,
        CRUSOE_API_TOKEN: "legacy-token-value",
      },
    });
    expect(problems).toEqual([]);
    expect(config.crusoe.auth).toEqual({ kind: "token", token: "legacy-token-value" });
  });

  test("filters are comma lists; whitespace and empty parts dropped", () => {
    const { config } = load({
      env: { ...validEnv(), CRUSOE_FILTER_ACTIONS: "Create, Update,," },
      flags: { "actor-types": "User" },
    });
    expect(config.crusoe.filters).toEqual({ actions: ["Create", "Update"], actor_types: ["User"] });
  });

  test("state dir defaults to $XDG_STATE_HOME, else ~/.local/state", () => {
    const env = { ...validEnv(), STATE_DIR: undefined };
    expect(load({ env: { ...env, XDG_STATE_HOME: "/x" } }).config.state.dir).toBe(
      "/x/crusoe-splunk-hec",
    );
    expect(load({ env: { ...env, HOME: "/home/u" } }).config.state.dir).toBe(
      "/home/u/.local/state/crusoe-splunk-hec",
    );
  });

  test("bools accept true/false, 1/0, yes/no, on/off in any case", () => {
    for (const [text, verify] of [
      ["FALSE", false],
      ["0", false],
      ["no", false],
      ["Off", false],
      ["True", true],
      ["1", true],
      ["YES", true],
      ["on", true],
    ] as const) {
      expect(load({ env: { ...validEnv(), SPLUNK_VERIFY_SSL: text } }).config.hec.tls.verify).toBe(
        verify,
      );
    }
  });

  test("--sink stdout needs no Splunk settings; status-like verbs need no credentials", () => {
    const noSplunk = { ...validEnv(), SPLUNK_HEC_URL: undefined, SPLUNK_HEC_TOKEN: undefined };
    expect(load({ env: noSplunk, flags: { sink: "stdout" } }).problems).toEqual([]);
    const stream = { crusoeAuth: false, orgId: true, sink: false };
    expect(load({ env: { CRUSOE_ORG_ID: ORG_ID }, needs: stream }).problems).toEqual([]);
  });

  test("rediss:// and redis:// are both accepted", () => {
    expect(problemsWith({ REDIS_URL: "rediss://:pw@cache.internal:6380/2" })).toEqual([]);
    expect(problemsWith({ REDIS_URL: "redis://127.0.0.1:6379" })).toEqual([]);
  });
});

/** A readable file standing in for a PEM: the checks are about the path, not the content. */
const PEM = join(tempDir(), "client.pem");
writeFileSync(PEM, "-----BEGIN CERTIFICATE-----\n");

describe("each bad input is exactly one problem naming it", () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ["org id not a UUID", { CRUSOE_ORG_ID: "my-org" }, 'CRUSOE_ORG_ID: "my-org" is not a UUID'],
    ["org id missing", { CRUSOE_ORG_ID: undefined }, "CRUSOE_ORG_ID is not set"],
    [
      "secret with base64 +/ and padding",
      { CRUSOE_SECRET_ACCESS_KEY: "AAEC+wQF/gcICQoLDA0ODw==" },
      "CRUSOE_SECRET_ACCESS_KEY: not base64url",
    ],
    [
      "secret of an impossible length",
      { CRUSOE_SECRET_ACCESS_KEY: "AAECA" },
      "CRUSOE_SECRET_ACCESS_KEY: not base64url",
    ],
    ["CRUSOE_BASE_URL not http(s)", { CRUSOE_BASE_URL: "ftp://x/v1" }, "CRUSOE_BASE_URL: must be"],
    ["CRUSOE_BASE_URL not a URL", { CRUSOE_BASE_URL: "api.crusoe" }, "CRUSOE_BASE_URL:"],
    ["SPLUNK_HEC_URL not http(s)", { SPLUNK_HEC_URL: "tcp://splunk:8088" }, "SPLUNK_HEC_URL:"],
    ["SPLUNK_HEC_URL not a URL", { SPLUNK_HEC_URL: "splunk:8088 x" }, "SPLUNK_HEC_URL:"],
    ["SPLUNK_HEC_URL missing", { SPLUNK_HEC_URL: undefined }, "SPLUNK_HEC_URL is not set"],
    ["SPLUNK_HEC_TOKEN missing", { SPLUNK_HEC_TOKEN: undefined }, "SPLUNK_HEC_TOKEN is not set"],
    ["BATCH_SIZE=0", { BATCH_SIZE: "0" }, "BATCH_SIZE: 0 is out of range (1..10000)"],
    ["BATCH_SIZE=1.5", { BATCH_SIZE: "1.5" }, 'BATCH_SIZE: "1.5" is not a whole number'],
    [
      "CRUSOE_PAGE_SIZE=5000",
      { CRUSOE_PAGE_SIZE: "5000" },
      "CRUSOE_PAGE_SIZE: 5000 is out of range",
    ],
    ["REQUEST_TIMEOUT=abc", { REQUEST_TIMEOUT: "abc" }, 'REQUEST_TIMEOUT: "abc" is not a number'],
    ["MAX_RETRIES=-1", { MAX_RETRIES: "-1" }, "MAX_RETRIES: -1 is out of range (0..20)"],
    ["MAX_RETRIES empty-ish", { MAX_RETRIES: " " }, "MAX_RETRIES:"],
    [
      "both auth methods",
      { CRUSOE_API_TOKEN: "legacy-token" },
      "CRUSOE_API_TOKEN and CRUSOE_ACCESS_KEY_ID/CRUSOE_SECRET_ACCESS_KEY are both set",
    ],
    ["unknown sink", { SINK: "kafka" }, 'SINK: "kafka" is not one of hec, stdout'],
    [
      "bad bool",
      { SPLUNK_VERIFY_SSL: "maybe" },
      'SPLUNK_VERIFY_SSL: "maybe" is not a boolean (true/false, 1/0, yes/no, on/off)',
    ],
    ["bad REDIS_URL scheme", { REDIS_URL: "http://cache:6379" }, "REDIS_URL: must start with"],
    [
      "client cert without key",
      { SPLUNK_CLIENT_CERT_FILE: PEM },
      "SPLUNK_CLIENT_CERT_FILE and SPLUNK_CLIENT_KEY_FILE go together",
    ],
    [
      "client key without cert",
      { SPLUNK_CLIENT_KEY_FILE: PEM },
      "SPLUNK_CLIENT_CERT_FILE and SPLUNK_CLIENT_KEY_FILE go together",
    ],
    ["unknown log level", { LOG_LEVEL: "loud" }, 'LOG_LEVEL: "loud" is not one of'],
    ["unknown log format", { LOG_FORMAT: "xml" }, 'LOG_FORMAT: "xml" is not one of text, json'],
    ["BATCH_SIZE=1e3 (exponent)", { BATCH_SIZE: "1e3" }, 'BATCH_SIZE: "1e3" is not a whole number'],
    ["BATCH_SIZE=0x10 (hex)", { BATCH_SIZE: "0x10" }, 'BATCH_SIZE: "0x10" is not a whole number'],
    ["BATCH_SIZE=+5 (sign)", { BATCH_SIZE: "+5" }, 'BATCH_SIZE: "+5" is not a whole number'],
    ["LAG_SECONDS=1.5 (whole seconds)", { LAG_SECONDS: "1.5" }, 'LAG_SECONDS: "1.5" is not'],
    ["REQUEST_TIMEOUT=1e1", { REQUEST_TIMEOUT: "1e1" }, 'REQUEST_TIMEOUT: "1e1" is not a number'],
    ["REQUEST_TIMEOUT=Infinity", { REQUEST_TIMEOUT: "Infinity" }, "REQUEST_TIMEOUT:"],
    [
      "REDIS_URL port out of range",
      { REDIS_URL: "redis://:hunter2-pw@127.0.0.1:99999/0" },
      'REDIS_URL: port "99999" is not a number in 1-65535',
    ],
    ["REDIS_URL port 0", { REDIS_URL: "redis://127.0.0.1:0" }, "REDIS_URL: port"],
    ["REDIS_URL port not digits", { REDIS_URL: "redis://cache:63x9" }, "REDIS_URL: port"],
    ["REDIS_URL without a host", { REDIS_URL: "redis://" }, "REDIS_URL: "],
    [
      "REDIS_URL database not a number",
      { REDIS_URL: "redis://cache/main" },
      "REDIS_URL: the database",
    ],
    [
      "SPLUNK_CA_FILE missing",
      { SPLUNK_CA_FILE: "/nonexistent/ca.pem" },
      "SPLUNK_CA_FILE: /nonexistent/ca.pem does not exist",
    ],
    [
      "SPLUNK_CLIENT_CERT_FILE missing",
      { SPLUNK_CLIENT_CERT_FILE: "/nonexistent/c.pem", SPLUNK_CLIENT_KEY_FILE: PEM },
      "SPLUNK_CLIENT_CERT_FILE: /nonexistent/c.pem does not exist",
    ],
    [
      "SPLUNK_CLIENT_KEY_FILE missing",
      { SPLUNK_CLIENT_CERT_FILE: PEM, SPLUNK_CLIENT_KEY_FILE: "/nonexistent/c.key" },
      "SPLUNK_CLIENT_KEY_FILE: /nonexistent/c.key does not exist",
    ],
    [
      "SPLUNK_CA_FILE is a directory",
      { SPLUNK_CA_FILE: "/tmp" },
      "SPLUNK_CA_FILE: /tmp is a directory",
    ],
    ["STATE_DIR is a file", { STATE_DIR: PEM }, `STATE_DIR: ${PEM} exists and is not a directory`],
    [
      "STATE_DIR under a file",
      { STATE_DIR: join(PEM, "state") },
      `STATE_DIR: a parent of ${join(PEM, "state")} is not a directory`,
    ],
  ];
  for (const [what, change, message] of cases) {
    test(what, () => {
      const problems = problemsWith(change);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(message);
      expect(problems[0]).not.toContain("\n");
    });
  }

  test("neither auth method: names the variables to set", () => {
    const problems = problemsWith({
      CRUSOE_ACCESS_KEY_ID: undefined,
      CRUSOE_SECRET_ACCESS_KEY: undefined,
    });
    expect(problems).toEqual([
      "CRUSOE_ACCESS_KEY_ID is not set",
      "CRUSOE_SECRET_ACCESS_KEY is not set (or CRUSOE_SECRET_ACCESS_KEY_FILE)",
    ]);
  });

  test("a key id without its secret (half a key pair)", () => {
    expect(problemsWith({ CRUSOE_SECRET_ACCESS_KEY: undefined })).toEqual([
      "CRUSOE_SECRET_ACCESS_KEY is not set (or CRUSOE_SECRET_ACCESS_KEY_FILE)",
    ]);
  });

  test("a value from a flag is named by the flag", () => {
    const env = validEnv();
    expect(load({ env, flags: { "batch-size": "0" } }).problems).toEqual([
      "--batch-size: 0 is out of range (1..10000)",
    ]);
    expect(load({ env, flags: { "page-size": "5000" } }).problems).toEqual([
      "--page-size: 5000 is out of range (1..1000)",
    ]);
    expect(load({ env, flags: { sink: "kafka" } }).problems).toEqual([
      '--sink: "kafka" is not one of hec, stdout',
    ]);
    expect(load({ env, flags: { "org-id": "acme" } }).problems).toEqual([
      '--org-id: "acme" is not a UUID',
    ]);
    expect(load({ env, flags: { "redis-url": "http://cache" } }).problems).toEqual([
      "--redis-url: must start with redis:// or rediss://",
    ]);
    expect(problemsWith({ REDIS_URL: "http://cache" })).toEqual([
      "REDIS_URL: must start with redis:// or rediss://",
    ]);
  });

  test("a secret from *_FILE is named by the *_FILE variable, without its content", () => {
    const dir = tempDir();
    const path = join(dir, "key");
    Bun.write(path, "not+base64/url==\n");
    const env = { ...validEnv(), CRUSOE_SECRET_ACCESS_KEY: undefined };
    const { problems } = load({ env: { ...env, CRUSOE_SECRET_ACCESS_KEY_FILE: path } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("CRUSOE_SECRET_ACCESS_KEY");
    expect(problems[0]).not.toContain("not+base64");
  });

  test("a REDIS_URL problem never echoes its password", () => {
    for (const url of [
      "redis://:hunter2-pw@127.0.0.1:99999/0",
      "redis://:hunter2-pw@/0",
      "redis://:hunter2-pw@cache/db",
    ]) {
      const problems = problemsWith({ REDIS_URL: url });
      expect(problems).toHaveLength(1);
      expect(problems[0]).not.toContain("hunter2");
    }
  });

  test("--state-dir that is a file is named by the flag", () => {
    expect(load({ env: validEnv(), flags: { "state-dir": PEM } }).problems).toEqual([
      `--state-dir: ${PEM} exists and is not a directory`,
    ]);
  });

  test("a TLS file that exists but may not be read", () => {
    if (process.getuid?.() === 0) return; // root reads mode 000 files
    const dir = tempDir();
    const path = join(dir, "ca.pem");
    writeFileSync(path, "x");
    chmodSync(path, 0o000);
    expect(problemsWith({ SPLUNK_CA_FILE: path })).toEqual([
      `SPLUNK_CA_FILE: cannot read ${path} (EACCES)`,
    ]);
  });

  test("readable TLS files and an existing or missing state dir are fine", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "state"));
    for (const stateDir of [join(dir, "state"), join(dir, "not-yet")]) {
      expect(
        problemsWith({
          STATE_DIR: stateDir,
          SPLUNK_CA_FILE: PEM,
          SPLUNK_CLIENT_CERT_FILE: PEM,
          SPLUNK_CLIENT_KEY_FILE: PEM,
        }),
      ).toEqual([]);
    }
  });

  test("plain decimal numbers pass: integers for whole seconds, decimals where allowed", () => {
    const { problems, config } = load({
      env: { ...validEnv(), BATCH_SIZE: " 250 ", LAG_SECONDS: "0", REQUEST_TIMEOUT: "2.5" },
    });
    expect(problems).toEqual([]);
    expect(config.hec.batchSize).toBe(250);
    expect(config.window.lagSeconds).toBe(0);
    expect(config.crusoe.timeoutMs).toBe(2500);
  });

  test("several problems are all collected", () => {
    expect(problemsWith({ BATCH_SIZE: "0", MAX_RETRIES: "-1", SINK: "x" })).toHaveLength(3);
  });
});

describe("warnings (allowed, but said on every run)", () => {
  test("plain http to a non-loopback host", () => {
    const { problems, warnings } = load({
      env: {
        ...validEnv(),
        SPLUNK_HEC_URL: "http://splunk.example.com:8088",
        CRUSOE_BASE_URL: "http://proxy.internal/v1",
      },
    });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      "CRUSOE_BASE_URL uses plain http to proxy.internal: requests travel unencrypted",
      "SPLUNK_HEC_URL uses plain http to splunk.example.com:8088: the HEC token travels unencrypted",
    ]);
  });

  test("plain http to loopback is not warned about", () => {
    for (const host of ["127.0.0.1:8088", "localhost:8088", "[::1]:8088", "127.1.2.3"]) {
      const env = {
        ...validEnv(),
        SPLUNK_HEC_URL: `http://${host}`,
        CRUSOE_BASE_URL: `http://${host}/v1`,
      };
      expect(load({ env }).warnings).toEqual([]);
    }
  });

  test("SPLUNK_VERIFY_SSL=false", () => {
    const { problems, warnings } = load({ env: { ...validEnv(), SPLUNK_VERIFY_SSL: "false" } });
    expect(problems).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toStartWith("SPLUNK_VERIFY_SSL=false:");
  });

  test("the Python forwarder's CRUSOE_BASE_URL is moved to the current API, naming both", () => {
    for (const legacy of [
      "https://api.crusoecloud.com/v1alpha5",
      "https://api.crusoecloud.com/v1alpha5/",
      "https://api.crusoecloud.com/v1",
    ]) {
      const { problems, warnings, config } = load({
        env: { ...validEnv(), CRUSOE_BASE_URL: legacy },
      });
      expect(problems).toEqual([]);
      expect(config.crusoe.baseUrl).toBe("https://api.cloud.crusoe.ai/v1");
      expect(warnings).toEqual([
        `CRUSOE_BASE_URL ${legacy.replace(/\/$/, "")} is the legacy API: using https://api.cloud.crusoe.ai/v1 instead`,
      ]);
    }
    // Anything else is used as given.
    const other = load({
      env: { ...validEnv(), CRUSOE_BASE_URL: "https://proxy.example/v1alpha5" },
    });
    expect(other.config.crusoe.baseUrl).toBe("https://proxy.example/v1alpha5");
    expect(other.warnings).toEqual([]);
  });

  test("CRUSOE_REGION (environment or env file) is warned as unused", () => {
    const unused = "CRUSOE_REGION is set but not used: the audit-log API is not regional";
    expect(load({ env: { ...validEnv(), CRUSOE_REGION: "us-east1" } }).warnings).toEqual([unused]);
    const dir = tempDir();
    writeFileSync(join(dir, ".env"), "CRUSOE_REGION=us-east1\n");
    expect(load({ env: validEnv(), cwd: dir }).warnings).toEqual([unused]);
  });

  test("dedup retention below overlap + buffer is raised, with a warning", () => {
    const { config, warnings } = load({
      env: { ...validEnv(), DEDUP_RETENTION_SECONDS: "60", OVERLAP_SECONDS: "600" },
    });
    expect(config.window.dedupRetentionSeconds).toBe(660);
    expect(warnings).toEqual([
      "--dedup-retention raised to 660 s (never below overlap + dedup buffer)",
    ]);
  });
});

describe("loadConfig for a running verb (problems thrown)", () => {
  test("throws the first problem as a usage error (exit 2) with a hint about the rest", () => {
    const run = () =>
      loadConfig({
        flags: {},
        env: { ...validEnv(), BATCH_SIZE: "0", MAX_RETRIES: "-1" },
        cwd: tempDir(),
        needs: NEEDS_ALL,
      });
    expect(run).toThrow(UsageError);
    try {
      run();
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).toMatch(
        /^(BATCH_SIZE|MAX_RETRIES): -?\d+ is out of range/,
      );
      expect((error as UsageError).hint).toBe("1 more problem(s): run config-check");
    }
  });
});
