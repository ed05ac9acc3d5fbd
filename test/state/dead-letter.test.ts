import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendDeadLetters, findDeadLetterProblem } from "../../src/state/dead-letter.ts";
import { StateError } from "../../src/state/errors.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

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

test("a symlink planted as the dead-letter file is refused and its target left untouched", async () => {
  const target = join(tmp, "elsewhere.txt");
  writeFileSync(target, "not yours\n");
  const file = join(tmp, "planted.ndjson");
  symlinkSync(target, file);
  const error = await appendDeadLetters(file, [{ reason: "x" }]).catch((e) => e);
  expect(error).toBeInstanceOf(StateError);
  expect(error.message).toBe(`refusing to write ${file}: it is a symlink`);
  expect(readFileSync(target, "utf8")).toBe("not yours\n");
});

test("a dead-letter path that is another user's file, or not a file, is refused", async () => {
  const dir = join(tmp, "a-dir.ndjson");
  mkdirSync(dir);
  const notFile = await appendDeadLetters(dir, [{ reason: "x" }]).catch((e) => e);
  expect(notFile).toBeInstanceOf(StateError);
  expect(notFile.message).toStartWith(`cannot write ${dir}: EISDIR`);

  const fifo = join(tmp, "fifo.ndjson");
  if (spawnSync("mkfifo", [fifo]).status === 0) {
    const error = await appendDeadLetters(fifo, [{ reason: "x" }]).catch((e) => e);
    expect(error.message).toBe(`refusing to write ${fifo}: it is not a regular file`);
  }

  // Only root can hand a file to another user; elsewhere this part cannot be set up.
  const theirs = join(tmp, "theirs.ndjson");
  writeFileSync(theirs, "");
  if (process.getuid?.() === 0) {
    chownSync(theirs, 65534, 65534);
    const error = await appendDeadLetters(theirs, [{ reason: "x" }]).catch((e) => e);
    expect(error.message).toBe(
      `refusing to write ${theirs}: it belongs to uid 65534, not to this user (uid 0)`,
    );
    expect(readFileSync(theirs, "utf8")).toBe("");
  }
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
