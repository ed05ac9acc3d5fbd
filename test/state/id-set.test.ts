// The compact id set behaves like a Set<string> of ids, for digests and for anything else.
import { expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { IdSet } from "../../src/state/id-set.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const digest = (n: number) => createHash("sha256").update(String(n)).digest("hex");

test("holds 20k digests through several resizes: has, add, size and iteration agree with a Set", () => {
  const set = new IdSet();
  const reference = new Set<string>();
  for (let n = 0; n < 20_000; n++) {
    expect(set.add(digest(n))).toBe(true);
    reference.add(digest(n));
  }
  expect(set.add(digest(7))).toBe(false);
  expect(set.size).toBe(20_000);
  const found = Array.from({ length: 21_000 }, (_, n) => set.has(digest(n)));
  expect(found.filter(Boolean).length).toBe(20_000);
  expect(found.slice(0, 20_000).every(Boolean)).toBe(true);
  expect(new Set(set)).toEqual(reference);
});

test("ids that are not lowercase SHA-256 hex are kept exactly, apart from digests", () => {
  const set = new IdSet();
  const upper = digest(1).toUpperCase();
  const others = ["id-1xxxxxxxxxxxx", upper, `${digest(2).slice(0, 63)}g`, "", digest(3).slice(1)];
  for (const id of others) expect(set.add(id)).toBe(true);
  expect(set.has(digest(1))).toBe(false); // the upper-case form is another string
  expect(set.add(digest(1))).toBe(true);
  for (const id of others) expect(set.has(id)).toBe(true);
  expect(set.size).toBe(others.length + 1);
  expect(new Set(set)).toEqual(new Set([...others, digest(1)]));
});

test("two digests that share their first bytes (the same slot) are both found", () => {
  const set = new IdSet();
  const a = `00000000${"1".repeat(56)}`;
  const b = `00000000${"2".repeat(56)}`;
  set.add(a);
  expect(set.has(b)).toBe(false);
  set.add(b);
  expect([set.has(a), set.has(b), set.size]).toEqual([true, true, 2]);
});

test("two digests that differ only in their last byte are two ids", () => {
  const set = new IdSet();
  const a = `${"ab".repeat(31)}00`;
  const b = `${"ab".repeat(31)}01`;
  set.add(a);
  expect(set.has(b)).toBe(false);
  expect(set.add(b)).toBe(true);
  expect([set.has(a), set.has(b), set.size]).toEqual([true, true, 2]);
});

test("past the table's 65,536 ids, digests sorted into runs are still found, once each", () => {
  const set = new IdSet();
  const reference = new Set<string>();
  // Two digests with the same first four bytes (the run's search key) and one more that shares
  // them but was never added.
  const twins = [`a1b2c3d4${"1".repeat(56)}`, `a1b2c3d4${"2".repeat(56)}`];
  const stranger = `a1b2c3d4${"3".repeat(56)}`;
  // The last digest in any order: found at the very end of its run.
  const last = "f".repeat(64);
  for (const id of [...twins, last]) {
    set.add(id);
    reference.add(id);
  }
  for (let n = 0; n < 140_000; n++) {
    expect(set.add(digest(n))).toBe(true);
    reference.add(digest(n));
  }
  // Already held, in the run or in the table: never added twice.
  expect([set.add(digest(3)), set.add(digest(139_999)), set.add(twins[0] as string)]).toEqual([
    false,
    false,
    false,
  ]);
  expect(set.size).toBe(140_003);
  expect([...twins, last].map((id) => set.has(id))).toEqual([true, true, true]);
  expect(set.has(stranger)).toBe(false);
  let found = 0;
  for (let n = 0; n < 141_000; n++) if (set.has(digest(n))) found++;
  expect(found).toBe(140_000);
  expect(new Set(set)).toEqual(reference);
});
