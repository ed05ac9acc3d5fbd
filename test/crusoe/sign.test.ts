import { describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  canonicalQuery,
  decodeSecret,
  encodeBase64Url,
  parseWireQuery,
  queryEscape,
  rfc3339Seconds,
  signRequest,
} from "../../src/crusoe/sign.ts";
import { UsageError } from "../../src/errors.ts";
import { hmacSha256, webCryptoHmacSha256 } from "../../src/runtime/hmac.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const KEY = { accessKeyId: "TESTKEYID0123456789abc", secretAccessKey: "AAECAwQFBgcICQoLDA0ODw" };
const TS = "2025-09-03T16:07:36Z";
const AUDIT = "/v1alpha5/organizations/0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192/audit-logs";
const WINDOW: [string, string][] = [
  ["start_time", "2025-09-03T16:00:00Z"],
  ["end_time", "2025-09-03T17:00:00Z"],
  ["limit", "100"],
];

describe("reference vectors from the official Go signer", () => {
  test("1: no query", async () => {
    const s = await signRequest({
      ...KEY,
      method: "GET",
      path: "/v1alpha5/locations",
      query: [],
      timestamp: TS,
    });
    expect(s.stringToSign).toBe("/v1alpha5/locations\n\nGET\n2025-09-03T16:07:36Z\n");
    expect(s.authorization).toBe(
      "Bearer 1.0:TESTKEYID0123456789abc:LevYyZ9Vc7NNgT-AsOmNqyHFPudQ4_iHYR82ubwYALo",
    );
  });

  test("1 through Web Crypto, the path taken under Deno", async () => {
    const mac = await webCryptoHmacSha256(
      decodeSecret(KEY.secretAccessKey) as Uint8Array<ArrayBuffer>,
    );
    const signature = await mac("/v1alpha5/locations\n\nGET\n2025-09-03T16:07:36Z\n");
    expect(encodeBase64Url(signature)).toBe("LevYyZ9Vc7NNgT-AsOmNqyHFPudQ4_iHYR82ubwYALo");
  });

  test("the runtime's HMAC and Web Crypto agree beyond ASCII (a decoded path may hold any text)", async () => {
    const key = decodeSecret(KEY.secretAccessKey) as Uint8Array<ArrayBuffer>;
    const [runtime, web] = await Promise.all([hmacSha256(key), webCryptoHmacSha256(key)]);
    for (const text of ["/v1/orgs/é ü ñ/audit-logs\n", "日本語 😀", "lone \ud800 surrogate", ""]) {
      expect(encodeBase64Url(await runtime(text))).toBe(encodeBase64Url(await web(text)));
    }
  });

  test("2: audit-logs window", async () => {
    const s = await signRequest({
      ...KEY,
      method: "GET",
      path: AUDIT,
      query: WINDOW,
      timestamp: TS,
    });
    expect(s.canonicalQuery).toBe(
      "end_time=2025-09-03T17%3A00%3A00Z&limit=100&start_time=2025-09-03T16%3A00%3A00Z",
    );
    expect(s.authorization).toBe(
      "Bearer 1.0:TESTKEYID0123456789abc:Xx_NJSvQgCuo0cKK9HSliqIRS3AhVTyyqMoHnMFw_l0",
    );
  });

  test("3: with a next_token holding + / =", async () => {
    const query: [string, string][] = [...WINDOW, ["next_token", "eyJ0IjoxfQ+/ab=="]];
    const s = await signRequest({ ...KEY, method: "GET", path: AUDIT, query, timestamp: TS });
    expect(s.canonicalQuery).toBe(
      "end_time=2025-09-03T17%3A00%3A00Z&limit=100&next_token=eyJ0IjoxfQ%2B%2Fab%3D%3D&start_time=2025-09-03T16%3A00%3A00Z",
    );
    expect(s.authorization).toBe(
      "Bearer 1.0:TESTKEYID0123456789abc:JeS35OLOtGTk7PMe165MZ2-sMR1PG-ZlG_wiH3WD6jM",
    );
  });
});

describe("queryEscape matches Go url.QueryEscape", () => {
  test.each([
    ["AZaz09-_.~", "AZaz09-_.~"],
    ["~ one*two", "~+one%2Atwo"],
    ["a-b_c.d~e/f", "a-b_c.d~e%2Ff"],
    ["*!()'", "%2A%21%28%29%27"],
    ["a b", "a+b"],
    ["a+b", "a%2Bb"],
    ["a/b", "a%2Fb"],
    ["Create,Update", "Create%2CUpdate"],
    ["k=v", "k%3Dv"],
    ["ada@example.com", "ada%40example.com"],
    ["12:00", "12%3A00"],
    ["é", "%C3%A9"],
    ["日本", "%E6%97%A5%E6%9C%AC"],
    ["🚀", "%F0%9F%9A%80"],
    ["%", "%25"],
    ["", ""],
  ])("%p → %p", (input, expected) => {
    expect(queryEscape(input)).toBe(expected);
    // And the server side reads it back to the same value.
    expect(parseWireQuery(`k=${expected}`)).toEqual([["k", input]]);
  });
});

describe("canonicalQuery", () => {
  test("empty value is written k=", () => {
    expect(
      canonicalQuery([
        ["results", ""],
        ["actions", "Create"],
      ]),
    ).toBe("actions=Create&results=");
  });

  test("repeated keys keep their order; keys sort byte-wise", () => {
    const pairs: [string, string][] = [
      ["b", "2"],
      ["a", "z"],
      ["b", "1"],
      ["B", "x"],
      ["a", "y"],
    ];
    expect(canonicalQuery(pairs)).toBe("B=x&a=z&a=y&b=2&b=1");
  });

  test("non-BMP keys sort after U+E000..U+FFFF, as UTF-8 bytes do", () => {
    expect(
      canonicalQuery([
        ["🚀", "1"],
        ["\uFF21", "2"],
      ]),
    ).toBe("%EF%BC%A1=2&%F0%9F%9A%80=1");
  });

  test("user-facing filter values survive a round trip through the wire form", () => {
    const pairs: [string, string][] = [
      ["actor_types", "User,Crusoe Admin"],
      ["surfaces", "Crusoe Terraform/v0.5.21"],
      ["actor_emails", "grace.hopper+ops@example.com"],
    ];
    const wire = canonicalQuery(pairs);
    expect(wire).toBe(
      "actor_emails=grace.hopper%2Bops%40example.com&actor_types=User%2CCrusoe+Admin&surfaces=Crusoe+Terraform%2Fv0.5.21",
    );
    expect(canonicalQuery(parseWireQuery(wire))).toBe(wire);
  });
});

describe("decodeSecret", () => {
  test("base64url with - and _ decodes to the right bytes", () => {
    expect([...decodeSecret("-_-_")]).toEqual([0xfb, 0xff, 0xbf]);
    expect(decodeSecret("AAECAwQFBgcICQoLDA0ODw")).toEqual(
      Uint8Array.from({ length: 16 }, (_, i) => i),
    );
  });

  test("a secret using - and _ signs (and differs from its std-base64 look-alike)", async () => {
    const a = await signRequest({
      accessKeyId: "k",
      secretAccessKey: "ab-_cd-_ef",
      method: "GET",
      path: "/",
      query: [],
      timestamp: TS,
    });
    const b = await signRequest({
      accessKeyId: "k",
      secretAccessKey: "abcdcdefef",
      method: "GET",
      path: "/",
      query: [],
      timestamp: TS,
    });
    expect(a.authorization).toMatch(/^Bearer 1\.0:k:[A-Za-z0-9_-]{43}$/);
    expect(a.authorization).not.toBe(b.authorization);
  });

  test.each(["", "abc+def", "abc/def", "a", "not a key!"])(
    "rejects %p naming the variable",
    (bad) => {
      expect(() => decodeSecret(bad)).toThrow(UsageError);
      expect(() => decodeSecret(bad)).toThrow(/CRUSOE_SECRET_ACCESS_KEY/);
    },
  );

  test("the rejected secret itself never appears in the message", () => {
    let message = "";
    try {
      decodeSecret("s3cr3t!value");
    } catch (e) {
      message = `${(e as Error).message} ${(e as UsageError).hint}`;
    }
    expect(message).toContain("CRUSOE_SECRET_ACCESS_KEY");
    expect(message).not.toContain("s3cr3t");
  });
});

test("rfc3339Seconds: whole seconds in UTC with Z", () => {
  expect(rfc3339Seconds(Date.UTC(2025, 8, 3, 16, 7, 36, 999))).toBe(TS);
});
