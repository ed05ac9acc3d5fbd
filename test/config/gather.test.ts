import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeConfig } from "../../src/config/describe.ts";
import { gatherSettings } from "../../src/config/gather.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { UsageError } from "../../src/errors.ts";
import { dirWith, load, SECRET, tempDir, validEnv } from "./fixtures.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const gather = (input: Partial<Parameters<typeof gatherSettings>[0]>) =>
  gatherSettings({ flags: {}, env: {}, cwd: tempDir(), ...input });

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected it to throw");
}

describe("precedence: flag > env > env file > default", () => {
  const cwd = dirWith({
    ".env": "BATCH_SIZE=300\nSPLUNK_SOURCE=from-file\nSPLUNK_INDEX=idx-file\n",
  });
  const env = { BATCH_SIZE: "200", SPLUNK_SOURCE: "from-env" };

  test("each level wins over the ones below it", () => {
    const { raw } = gather({ cwd, env, flags: { "batch-size": "400" } });
    expect(raw.get("batchSize")).toEqual({ value: "400", origin: "flag", via: "--batch-size" });
    expect(raw.get("source")).toEqual({ value: "from-env", origin: "env", via: "SPLUNK_SOURCE" });
    expect(raw.get("index")).toEqual({
      value: "idx-file",
      origin: "env file",
      via: "SPLUNK_INDEX",
    });
    expect(raw.get("sourcetype")).toEqual({ value: "crusoe:audit", origin: "default" });
    expect(raw.has("host")).toBe(false); // no default: unset, resolved later
  });

  test("without the flag the environment wins; without both, the env file", () => {
    expect(gather({ cwd, env }).raw.get("batchSize")?.origin).toBe("env");
    expect(gather({ cwd }).raw.get("batchSize")).toMatchObject({
      value: "300",
      origin: "env file",
    });
    expect(gather({}).raw.get("batchSize")).toEqual({ value: "10000", origin: "default" });
  });

  test("an empty variable or flag counts as unset, not as a value", () => {
    const { raw } = gather({ cwd, env: { BATCH_SIZE: "" }, flags: { "batch-size": "" } });
    expect(raw.get("batchSize")?.origin).toBe("env file");
  });

  test("--env-file PATH replaces ./.env (which is then not read at all)", () => {
    const other = join(dirWith({ "prod.env": "SPLUNK_INDEX=idx-prod\n" }), "prod.env");
    const { raw, envFilePath } = gather({ cwd, envFile: other });
    expect(envFilePath).toBe(other);
    expect(raw.get("index")?.value).toBe("idx-prod");
    expect(raw.get("batchSize")?.origin).toBe("default");
  });

  test("--env-file relative to the working directory", () => {
    const dir = dirWith({ "my.env": "SPLUNK_INDEX=rel\n" });
    const { raw, envFilePath } = gather({ cwd: dir, envFile: "my.env" });
    expect(envFilePath).toBe(join(dir, "my.env"));
    expect(raw.get("index")?.value).toBe("rel");
  });

  test("no ./.env is fine; a missing --env-file is a usage error naming the path", () => {
    expect(gather({}).envFilePath).toBeUndefined();
    const error = thrown(() => gather({ envFile: "/nonexistent/x.env" }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("--env-file /nonexistent/x.env");
  });

  test("a flag given as a boolean (e.g. --disable-dedup) counts as a flag value", () => {
    const { raw } = gather({ env: { DISABLE_DEDUP: "false" }, flags: { "disable-dedup": true } });
    expect(raw.get("disableDedup")).toMatchObject({ value: "true", origin: "flag" });
  });

  test("settings without a variable's flag cannot be set by a same-named flag key", () => {
    // SPLUNK_HEC_TOKEN has no flag on purpose: a token on the command line lands in `ps`.
    const { raw } = gather({ flags: { "hec-token": "oops", hecToken: "oops" } });
    expect(raw.has("hecToken")).toBe(false);
  });
});

describe("secrets from NAME_FILE", () => {
  const secrets = [
    ["SPLUNK_HEC_TOKEN", "hecToken"],
    ["CRUSOE_SECRET_ACCESS_KEY", "secretAccessKey"],
    ["CRUSOE_API_TOKEN", "apiToken"],
    ["REDIS_URL", "redisUrl"],
  ] as const;

  for (const [name, key] of secrets) {
    test(`${name}_FILE is read (trailing newline dropped) and named as the origin`, () => {
      const dir = dirWith({ secret: `value-of-${name}\n` });
      const { raw } = gather({ env: { [`${name}_FILE`]: join(dir, "secret") } });
      expect(raw.get(key)).toEqual({
        value: `value-of-${name}`,
        origin: "env",
        via: `${name}_FILE`,
      });
    });

    test(`${name}_FILE empty or whitespace only: usage error naming it, never a fallback`, () => {
      for (const content of ["", " \n\t\n"]) {
        const dir = dirWith({ secret: content });
        const path = join(dir, "secret");
        const error = thrown(() => gather({ env: { [`${name}_FILE`]: path } }));
        expect(error).toBeInstanceOf(UsageError);
        expect((error as UsageError).exitCode).toBe(2);
        expect(error.message).toBe(`${name}_FILE: ${path} is empty`);
      }
    });

    test(`${name} and ${name}_FILE both set: usage error naming both`, () => {
      const dir = dirWith({ secret: "x" });
      const error = thrown(() =>
        gather({ env: { [name]: "direct", [`${name}_FILE`]: join(dir, "secret") } }),
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(`${name} and ${name}_FILE are both set: keep one`);
    });
  }

  test("an unreadable *_FILE is a usage error naming the variable and the path", () => {
    const missing = thrown(() => gather({ env: { SPLUNK_HEC_TOKEN_FILE: "/nonexistent/token" } }));
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as UsageError).exitCode).toBe(2);
    expect(missing.message).toBe("SPLUNK_HEC_TOKEN_FILE: cannot read /nonexistent/token (ENOENT)");
    const dir = tempDir();
    const directory = thrown(() => gather({ env: { CRUSOE_API_TOKEN_FILE: dir } }));
    expect(directory.message).toStartWith(`CRUSOE_API_TOKEN_FILE: cannot read ${dir}`);
  });

  test("a *_FILE that exists but may not be read (mode 000)", () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const dir = dirWith({ key: SECRET });
    chmodSync(join(dir, "key"), 0o000);
    const error = thrown(() =>
      gather({ env: { CRUSOE_SECRET_ACCESS_KEY_FILE: join(dir, "key") } }),
    );
    expect(error.message).toContain("CRUSOE_SECRET_ACCESS_KEY_FILE: cannot read");
    expect(error.message).toContain("EACCES");
  });

  test("*_FILE works from the env file too, and env beats the env file's *_FILE", () => {
    const dir = dirWith({ token: "file-token\n" });
    writeFileSync(join(dir, ".env"), `SPLUNK_HEC_TOKEN_FILE=${join(dir, "token")}\n`);
    expect(gather({ cwd: dir }).raw.get("hecToken")).toEqual({
      value: "file-token",
      origin: "env file",
      via: "SPLUNK_HEC_TOKEN_FILE",
    });
    expect(
      gather({ cwd: dir, env: { SPLUNK_HEC_TOKEN: "env-token" } }).raw.get("hecToken"),
    ).toEqual({ value: "env-token", origin: "env", via: "SPLUNK_HEC_TOKEN" });
  });

  test("only secrets have a *_FILE form (BATCH_SIZE_FILE is ignored)", () => {
    const dir = dirWith({ n: "7" });
    expect(gather({ env: { BATCH_SIZE_FILE: join(dir, "n") } }).raw.get("batchSize")?.origin).toBe(
      "default",
    );
  });
});

describe("describeConfig (what config-check prints)", () => {
  test("one row per setting with its origin; secrets never shown", () => {
    const dir = dirWith({ key: `${SECRET}\n` });
    const env: Record<string, string | undefined> = {
      ...validEnv(),
      CRUSOE_SECRET_ACCESS_KEY: undefined,
    };
    env.CRUSOE_SECRET_ACCESS_KEY_FILE = join(dir, "key");
    env.REDIS_URL = "redis://:pw-in-url-123@127.0.0.1:6379/0";
    const loaded = load({ env, flags: { "batch-size": "50" } });
    const rows = describeConfig(loaded.raw);
    expect(rows.length).toBe(SETTINGS.length);
    const row = (name: string) => rows.find((r) => r.name === name);
    expect(row("CRUSOE_SECRET_ACCESS_KEY")).toEqual({
      name: "CRUSOE_SECRET_ACCESS_KEY",
      value: "[redacted]",
      origin: "env (CRUSOE_SECRET_ACCESS_KEY_FILE)",
    });
    expect(row("SPLUNK_HEC_TOKEN")?.value).toBe("[redacted]");
    expect(row("REDIS_URL")?.value).toBe("redis://:[redacted]@127.0.0.1:6379/0");
    expect(row("BATCH_SIZE")).toEqual({ name: "BATCH_SIZE", value: "50", origin: "flag" });
    expect(row("SPLUNK_SOURCE")).toEqual({
      name: "SPLUNK_SOURCE",
      value: "crusoe_api",
      origin: "default",
    });
    expect(row("SPLUNK_INDEX")).toEqual({ name: "SPLUNK_INDEX", value: null, origin: "unset" });
    expect(row("CRUSOE_ACCESS_KEY_ID")?.value).toBe("TEST…");
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    expect(JSON.stringify(rows)).not.toContain("pw-in-url-123");
  });

  test("credentials inside an http URL setting are not shown either", () => {
    const loaded = load({
      env: {
        ...validEnv(),
        SPLUNK_HEC_URL: "https://admin:hunter2hunter2@splunk.example.com:8088",
      },
    });
    expect(loaded.problems).toContain("SPLUNK_HEC_URL: must not carry credentials in the URL");
    expect(JSON.stringify(describeConfig(loaded.raw))).not.toContain("hunter2hunter2");
  });
});
