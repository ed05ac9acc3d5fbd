import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { configureLogger, logger } from "../../src/log.ts";
import { redact, redactUrl, registerSecrets } from "../../src/redact.ts";
import { load, validEnv } from "../config/fixtures.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

describe("redact()", () => {
  test("a registered secret is replaced wherever it appears", () => {
    registerSecrets("r3gistered-Secret-Value");
    expect(redact("a r3gistered-Secret-Value b r3gistered-Secret-Value")).toBe(
      "a [redacted] b [redacted]",
    );
  });

  test("very short values and undefined are not registered (they would blank ordinary words)", () => {
    registerSecrets("abc", undefined, "");
    expect(redact("abc abcdef")).toBe("abc abcdef");
  });

  test("a Crusoe signed Authorization header keeps its key id, loses its signature", () => {
    const header =
      "Authorization: Bearer 1.0:TESTKEYID0123456789abc:6XL4KJab1fEiElusB1lwscuj2Gi4EPMtjt3wN_GcdHQ";
    expect(redact(header)).toBe("Authorization: Bearer 1.0:TESTKEYID0123456789abc:[redacted]");
  });

  test("unregistered bearer and Splunk tokens are replaced by shape", () => {
    expect(redact("Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9-xyz")).toBe(
      "Authorization: Bearer [redacted]",
    );
    expect(redact("header Splunk 8a1b2c3d-0000-4000-8000-123456789abc sent")).toBe(
      "header Splunk [redacted] sent",
    );
  });

  test("prose after 'Splunk' or 'Bearer' stays readable (a credential has a digit)", () => {
    const line = "what Splunk accepted is committed; Splunk acknowledged the batch";
    expect(redact(line)).toBe(line);
  });

  test("passwords inside URLs, of any scheme", () => {
    expect(redact("cannot reach redis://:pAssw0rdXyz@cache:6379/0 now")).toBe(
      "cannot reach redis://:[redacted]@cache:6379/0 now",
    );
    expect(redact("rediss://default:another-pw@h:6380")).toBe("rediss://default:[redacted]@h:6380");
    expect(redact("https://admin:hunter2hunter2@splunk:8088/x")).toBe(
      "https://admin:[redacted]@splunk:8088/x",
    );
  });

  test("ordinary text is left alone", () => {
    const text = "forward ok: fetched 50, delivered 50 to https://splunk.example.com:8088/services";
    expect(redact(text)).toBe(text);
  });
});

describe("redactUrl()", () => {
  test("password replaced, the rest kept", () => {
    expect(redactUrl("redis://:s3cret@127.0.0.1:6379/0")).toBe(
      "redis://:[redacted]@127.0.0.1:6379/0",
    );
    expect(redactUrl("rediss://user:s3cret@cache:6380")).toBe(
      "rediss://user:[redacted]@cache:6380",
    );
  });

  test("a lone username is treated as the password (redis://secret@host)", () => {
    expect(redactUrl("redis://s3cretAsUser@cache:6379")).toBe("redis://[redacted]@cache:6379");
  });

  test("no credentials: unchanged", () => {
    expect(redactUrl("redis://cache:6379/1")).toBe("redis://cache:6379/1");
  });

  test("not a URL: falls back to pattern redaction", () => {
    expect(redactUrl("redis://:pw-not-parsed@ho st")).not.toContain("pw-not-parsed");
  });
});

describe("loadConfig registers every secret before anything can print it", () => {
  test("tokens, keys and the Redis password are redacted after loading", () => {
    load({
      env: {
        ...validEnv(),
        CRUSOE_SECRET_ACCESS_KEY: "UnitSecretKeyAAAAAAAAA",
        SPLUNK_HEC_TOKEN: "unit-hec-token-0001",
        CRUSOE_API_TOKEN: "unit-api-token-0002",
        REDIS_URL: "redis://:unitRedisPw@127.0.0.1:1/0",
      },
    });
    const text = "UnitSecretKeyAAAAAAAAA unit-hec-token-0001 unit-api-token-0002 unitRedisPw";
    expect(redact(text)).toBe("[redacted] [redacted] [redacted] [redacted]");
  });

  test("a secret with stray whitespace (a k8s secret's trailing newline) is redacted as used", () => {
    // The token is trimmed before use, so the trimmed form is what could be printed.
    const { config } = load({
      env: { ...validEnv(), SPLUNK_HEC_TOKEN: "  padded-hec-token-77\n" },
    });
    expect(config.hec.token).toBe("padded-hec-token-77");
    expect(redact("token padded-hec-token-77")).toBe("token [redacted]");
  });

  test("a percent-encoded Redis password is redacted in both forms", () => {
    load({ env: { ...validEnv(), REDIS_URL: "redis://:pct%40Encoded%2Fpw@127.0.0.1:1/0" } });
    expect(redact("pw pct@Encoded/pw")).toBe("pw [redacted]");
    expect(redact("raw pct%40Encoded%2Fpw")).toBe("raw [redacted]");
  });
});

describe("the logger redacts every line, in both formats", () => {
  const original = process.stderr.write.bind(process.stderr);
  let captured = "";
  function capture() {
    captured = "";
    process.stderr.write = ((chunk: string | Uint8Array) => {
      captured += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      return true;
    }) as typeof process.stderr.write;
  }
  afterEach(() => {
    process.stderr.write = original;
    configureLogger({ level: "info", format: "text" });
  });

  test("text and json, at debug level, including error objects and structured args", () => {
    registerSecrets("log-secret-Value-42", 'quote"and\\backslash-secret');
    for (const format of ["text", "json"]) {
      configureLogger({ level: "debug", format });
      capture();
      logger.debug("debug log-secret-Value-42");
      logger.info({ token: "log-secret-Value-42" });
      logger.warn(new Error("failed with log-secret-Value-42"));
      logger.error('odd one: quote"and\\backslash-secret');
      process.stderr.write = original;
      expect(captured.split("\n").filter(Boolean)).toHaveLength(4);
      expect(captured).not.toContain("log-secret-Value-42");
      expect(captured).not.toContain("backslash-secret");
      if (format === "json") {
        for (const line of captured.trim().split("\n"))
          expect(() => JSON.parse(line)).not.toThrow();
      }
    }
  });
});
