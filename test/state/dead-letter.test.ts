import { afterAll, expect, test } from "bun:test";
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendDeadLetters, findDeadLetterProblem } from "../../src/state/dead-letter.ts";

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

test("the dead-letter path check: a file or a creatable path passes, a directory or a file parent is named", async () => {
  expect(await findDeadLetterProblem(join(tmp, "a", "b", "dead.ndjson"))).toBeUndefined();
  const existing = join(tmp, "existing.ndjson");
  writeFileSync(existing, "");
  expect(await findDeadLetterProblem(existing)).toBeUndefined();
  const dir = join(tmp, "a-dir");
  mkdirSync(dir);
  expect(await findDeadLetterProblem(dir)).toBe(
    `DEAD_LETTER_FILE: ${dir} is a directory; it must name a file`,
  );
  expect(await findDeadLetterProblem(join(existing, "x", "dead.ndjson"))).toBe(
    `DEAD_LETTER_FILE: ${join(existing, "x", "dead.ndjson")} cannot be created: ${existing} is not a directory`,
  );
});

// Root writes anywhere: the permission case can only be seen as another user.
test.skipIf(process.getuid?.() === 0)("a directory the user cannot write is named", async () => {
  const locked = join(tmp, "locked");
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  try {
    expect(await findDeadLetterProblem(join(locked, "dead.ndjson"))).toMatch(
      /^DEAD_LETTER_FILE: .* cannot be created in .*locked \(EACCES\)$/,
    );
  } finally {
    chmodSync(locked, 0o700);
  }
});
