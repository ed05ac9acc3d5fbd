import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { parseEnvFile } from "../../src/config/env-file.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

describe("parseEnvFile", () => {
  test("KEY=VALUE lines, export prefix, blank lines and # comments", () => {
    const text = [
      "# a comment",
      "",
      "CRUSOE_ORG_ID=0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192",
      "export BATCH_SIZE=250",
      "  SPLUNK_INDEX = audit  ",
      "not a line",
      "1BAD=x",
    ].join("\n");
    expect(parseEnvFile(text)).toEqual({
      CRUSOE_ORG_ID: "0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192",
      BATCH_SIZE: "250",
      SPLUNK_INDEX: "audit",
    });
  });

  test('quotes keep spaces and #; double quotes understand \\n and \\"', () => {
    const text = [
      `A="hello # not a comment"`,
      `B='single # kept'`,
      `C="line1\\nline2"`,
      `D="say \\"hi\\""`,
      `E="quoted" # trailing comment`,
      `F=plain # trailing comment`,
      `G=abc#def`,
      `H=`,
    ].join("\n");
    expect(parseEnvFile(text)).toEqual({
      A: "hello # not a comment",
      B: "single # kept",
      C: "line1\nline2",
      D: 'say "hi"',
      E: "quoted",
      F: "plain",
      G: "abc#def",
      H: "",
    });
  });

  test("CRLF line endings (a file edited on Windows)", () => {
    expect(parseEnvFile("A=1\r\nB=two\r\n")).toEqual({ A: "1", B: "two" });
  });

  test("a later line wins, like a shell", () => {
    expect(parseEnvFile("A=1\nA=2\n")).toEqual({ A: "2" });
  });

  test("a base64url secret with = or - survives unquoted", () => {
    expect(parseEnvFile("S=ab-_cd==\nT=x=y")).toEqual({ S: "ab-_cd==", T: "x=y" });
  });
});
