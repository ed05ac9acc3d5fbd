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
