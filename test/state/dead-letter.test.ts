import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendDeadLetters } from "../../src/state/dead-letter.ts";

const tmp = mkdtempSync(join(tmpdir(), "csh-dl-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("dead letters are appended as NDJSON in a private file", async () => {
  const file = join(tmp, "new-dir", "dead-letter.ndjson");
  await appendDeadLetters(file, [{ reason: "HEC code 6", event: { a: 1 } }]);
  await appendDeadLetters(file, [{ reason: "too big" }, { reason: "HEC code 13" }]);
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  expect(lines.map((line) => JSON.parse(line).reason)).toEqual([
    "HEC code 6",
    "too big",
    "HEC code 13",
  ]);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(tmp, "new-dir")).mode & 0o777).toBe(0o700);
});

test("a torn last line from a crash does not swallow the next record", async () => {
  const file = join(tmp, "torn.ndjson");
  await appendDeadLetters(file, [{ reason: "first" }]);
  appendFileSync(file, '{"reason":"cut of');
  await appendDeadLetters(file, [{ reason: "next" }]);
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  expect(JSON.parse(lines.at(-1) ?? "")).toEqual({ reason: "next" });
  expect(lines).toHaveLength(3);
});
