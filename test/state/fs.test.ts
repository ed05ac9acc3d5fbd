import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { StateConfig } from "../../src/config/types.ts";
import { UsageError } from "../../src/errors.ts";
import { StateError } from "../../src/state/errors.ts";
import { pathForKey } from "../../src/state/fs-driver.ts";
import { openStateStore } from "../../src/state/store.ts";
import { canMountTmpfs, mountTmpfs } from "../helpers/tmpfs.ts";
import { DAY, id, NOW, newStream, runStateSuite, runWorker } from "./suite.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const tmp = mkdtempSync(join(tmpdir(), "csh-state-"));
const root = join(tmp, "state"); // does not exist yet: the store creates it
const config: StateConfig = {
  dir: root,
  deadLetterFile: join(root, "dead-letter.ndjson"),
  lockTtlMs: 60_000,
};
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

runStateSuite("fs", () => ({
  kind: "fs",
  config,
  async writeRaw(stream, key, text) {
    const path = pathForKey(join(root, stream), key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  },
  readRaw: (location) => readFile(location, "utf8").catch(() => undefined),
  deleteRaw: (stream, key) => rm(pathForKey(join(root, stream), key), { force: true }),
}));

/** The documents of the hour at NOW (2024-05-01T12) of a stream: file names, then id counts. */
const HOUR = "2024-05-01T12";
const hourDir = (stream: string) => dirname(pathForKey(join(root, stream), `dedup:${HOUR}.json`));
const hourDocs = (dir: string) => readdirSync(dir).filter((name) => name.includes(HOUR));
const idsIn = (dir: string, name: string) =>
  (JSON.parse(readFileSync(join(dir, name), "utf8")) as { ids: string[] }).ids.length;
/** `length` delivered events at NOW with ids `<name>-<from>`, `<name>-<from + 1>`... */
const batchOf = (name: string, length: number, from = 0) =>
  Array.from({ length }, (_, k) => ({ id: id(`${name}-${from + k}`), timeMs: NOW }));

/** A fresh stream's store with its dedup set loaded, and the directory of the hour at NOW. */
async function openHour() {
  const stream = newStream();
  const store = await openStateStore(config, stream);
  return { stream, store, set: await store.dedup.load(NOW, DAY), dir: hourDir(stream) };
}

describe("fs store specifics", () => {
  test("a busy hour stays in few documents, none of them over 65,536 ids, and loses nothing", async () => {
    const { stream, store, set, dir } = await openHour();
    const total = 100_000;
    // Commits of 5,000 ids: sixteen of them hold more than one merge may write.
    for (let n = 0; n < total; n += 5000) await store.dedup.commit(set, batchOf("busy", 5000, n));
    const docs = hourDocs(dir);
    expect(docs.length).toBeLessThanOrEqual(32);
    for (const name of docs) expect(idsIn(dir, name)).toBeLessThanOrEqual(65_536);
    const again = await (await openStateStore(config, stream)).dedup.load(NOW, DAY);
    expect(again.size).toBe(total);
    for (let n = 0; n < total; n += 997) expect(await again.has(id(`busy-${n}`), NOW)).toBe(true);
  });

  test("merging rewrites a busy hour's ids at most once more, not at every merge", async () => {
    const { store, set, dir } = await openHour();
    const total = 64_000;
    const seen = new Set<string>();
    let written = 0;
    for (let n = 0; n < total; n += 1000) {
      await store.dedup.commit(set, batchOf("rewrite", 1000, n));
      // Every document that appeared since the last commit was written once, whole.
      for (const name of readdirSync(dir).filter((file) => !seen.has(file))) {
        seen.add(name);
        written += idsIn(dir, name);
      }
    }
    await store.close();
    expect(written).toBeGreaterThanOrEqual(total);
    expect(written).toBeLessThanOrEqual(2 * total);
  });

  test("the smallest deltas of a size tier are merged, even behind one that would not fit", async () => {
    const { store, set, dir } = await openHour();
    // 5,000 + 15 x 4,096 ids are more than one merge may write; the sixteen of 4,096 are not.
    await store.dedup.commit(set, batchOf("big", 5000));
    for (let n = 0; n < 16; n++) await store.dedup.commit(set, batchOf(`full-${n}`, 4096));
    await store.close();
    const sizes = hourDocs(dir)
      .map((name) => idsIn(dir, name))
      .sort((a, b) => a - b);
    expect(sizes).toEqual([5000, 65_536]);
  });

  test("an hour written by many short runs is still compacted: deltas read back are merged", async () => {
    const stream = newStream();
    const ids = Array.from({ length: 120 }, (_, n) => id(`run-${n}`));
    const dir = hourDir(stream);
    let most = 0;
    for (const one of ids) {
      // One commit per run, as forward-recent from cron does: every earlier delta is read back,
      // its size too (a size lost on reading makes a delta look full: never merged again).
      const store = await openStateStore(config, stream);
      await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: one, timeMs: NOW }]);
      await store.close();
      most = Math.max(most, hourDocs(dir).length);
    }
    // Size tiers: at most 15 deltas of 1 id (+1 just written) and 120 / 16 merged ones.
    expect(most).toBeLessThanOrEqual(16 + 8);
    const again = await (await openStateStore(config, stream)).dedup.load(NOW, DAY);
    expect(again.size).toBe(ids.length);
    for (const one of ids) expect(await again.has(one, NOW)).toBe(true);
  });

  test("an hour of many tiny commits stays under 32 documents: merged deltas are merged again", async () => {
    const { stream, store, set, dir } = await openHour();
    let most = 0;
    for (let n = 0; n < 800; n++) {
      await store.dedup.commit(set, batchOf("tiny", 1, n));
      most = Math.max(most, hourDocs(dir).length);
    }
    expect(most).toBeLessThanOrEqual(32);
    const again = await (await openStateStore(config, stream)).dedup.load(NOW, DAY);
    expect(again.size).toBe(800);
  });

  test("state files are 0600 and directories 0700", async () => {
    const stream = newStream();
    const store = await openStateStore(config, stream);
    await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: id(1), timeMs: NOW }]);
    await store.checkpoints.set(NOW);
    await store.checkpoints.setRange("1-2", { doneUntilMs: 2, finished: true });
    await store.locks.tryAcquire(60_000);
    // Only this stream: other tests damage files behind the store's back.
    const modes: [string, number, boolean][] = [[root, statSync(root).mode & 0o777, true]];
    modes.push(...walk(join(root, stream)));
    expect(modes.length).toBeGreaterThan(6);
    for (const [path, mode, isDir] of modes) {
      expect(`${path} ${mode.toString(8)}`).toBe(`${path} ${isDir ? "700" : "600"}`);
    }
  });

  test("a crash between temp-file write and rename leaves the old state readable", async () => {
    const stream = newStream();
    const store = await openStateStore(config, stream);
    await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: id("old"), timeMs: NOW }]);

    const args = JSON.stringify({ nowMs: NOW, ids: [id("lost")] });
    const crashed = await runWorker(["crash-commit", JSON.stringify(config), stream, args]);
    expect(crashed.out).not.toContain("not killed");
    const leftovers = readdirSync(join(root, stream, "dedup")).filter((n) => n.includes(".tmp-"));
    expect(leftovers).toHaveLength(1); // the crash really happened with the new file written

    const set = await (await openStateStore(config, stream)).dedup.load(NOW, DAY);
    expect([await set.has(id("old"), NOW), await set.has(id("lost"), NOW)]).toEqual([true, false]);
    await store.dedup.commit(set, [{ id: id("next"), timeMs: NOW }]);
    const after = await (await openStateStore(config, stream)).dedup.load(NOW, DAY);
    expect([await after.has(id("old"), NOW), await after.has(id("next"), NOW)]).toEqual([
      true,
      true,
    ]);
  });

  test("a half-written temp file beside a document is ignored", async () => {
    const stream = newStream();
    const store = await openStateStore(config, stream);
    await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: id(1), timeMs: NOW }]);
    await store.checkpoints.set(NOW);
    const dir = join(root, stream);
    writeFileSync(join(dir, "dedup", ".2024-05-01T12.json.tmp-999-dead"), '{"v":1,"ids":["x');
    writeFileSync(join(dir, ".checkpoint.json.tmp-999-dead"), "");
    expect(await (await store.dedup.load(NOW, DAY)).has(id(1), NOW)).toBe(true);
    expect(await store.checkpoints.get()).toBe(NOW);
    expect((await store.dedup.stats()).buckets).toBe(1);
  });

  test("a lock left by a dead process on this host is stale even before it expires", async () => {
    const stream = newStream();
    const dead = spawnSync("true").pid ?? 0;
    writeLock(stream, { pid: dead, host: hostname(), expiresAt: inOneHour() });
    const store = await openStateStore(config, stream);
    expect(await store.locks.holder()).toBeUndefined();
    expect("lease" in (await store.locks.tryAcquire(60_000))).toBe(true);
  });

  test("a lock from another host is honoured until it expires", async () => {
    const stream = newStream();
    const dead = spawnSync("true").pid ?? 0; // gone here, but it is another host's pid
    writeLock(stream, { pid: dead, host: "other-host", expiresAt: inOneHour() });
    const store = await openStateStore(config, stream);
    const result = await store.locks.tryAcquire(60_000);
    expect(result).toEqual({ heldBy: expect.objectContaining({ host: "other-host", pid: dead }) });
    expect(JSON.stringify(result)).not.toContain("token");
  });

  test("a takeover mutex left by a crashed process does not block the lock", async () => {
    const stream = newStream();
    const dead = spawnSync("true").pid ?? 0;
    writeLock(stream, { pid: dead, host: hostname(), expiresAt: inOneHour() });
    writeFileSync(
      join(root, stream, "lock.takeover"),
      JSON.stringify({ pid: dead, host: hostname() }),
    );
    const store = await openStateStore(config, stream);
    expect("lease" in (await store.locks.tryAcquire(60_000))).toBe(true);
  });

  test("ping reports an unwritable state directory as a StateError naming it", async () => {
    const file = join(tmp, "not-a-dir");
    writeFileSync(file, "");
    const store = await openStateStore({ ...config, dir: file }, newStream());
    await expect(store.ping()).rejects.toThrow(file);
  });
});

describe("fs store: files and permissions", () => {
  test("a document is replaced by rename, never rewritten in place", async () => {
    const stream = newStream();
    const store = await openStateStore(config, stream);
    await store.checkpoints.set(NOW);
    const path = join(root, stream, "checkpoint.json");
    // A second name for the current document's inode: an in-place write (which a crash can
    // tear) would change what it shows; a rename gives the name a new inode and leaves it be.
    const before = join(tmp, `${stream}-before`);
    linkSync(path, before);
    await store.checkpoints.set(NOW + 1000);
    expect(JSON.parse(readFileSync(before, "utf8")).ms).toBe(NOW);
    expect(statSync(path).ino).not.toBe(statSync(before).ino);
    expect(await store.checkpoints.get()).toBe(NOW + 1000);
  });

  test("a symlink planted where a state document goes is replaced, never written through", async () => {
    const stream = newStream();
    const outside = join(tmp, `${stream}-outside`);
    writeFileSync(outside, "precious");
    mkdirSync(join(root, stream), { recursive: true, mode: 0o700 });
    symlinkSync(outside, join(root, stream, "checkpoint.json"));
    const store = await openStateStore(config, stream);
    await store.checkpoints.set(NOW);
    expect(readFileSync(outside, "utf8")).toBe("precious");
    expect(lstatSync(join(root, stream, "checkpoint.json")).isFile()).toBe(true);
    expect(await store.checkpoints.get()).toBe(NOW);
  });

  for (const [what, mode] of [
    ["the state directory", 0o777],
    ["the state directory (group-writable)", 0o770],
    ["a stream directory in it", 0o757],
  ] as const) {
    test(`${what} writable by others is refused with exit 2, naming it and the fix`, async () => {
      const dir = join(tmp, `loose-${mode.toString(8)}-${what.length}`);
      const stream = newStream();
      mkdirSync(join(dir, stream), { recursive: true, mode: 0o700 });
      const loose = what.startsWith("a stream") ? join(dir, stream) : dir;
      chmodSync(loose, mode);
      const error = await openStateStore({ ...config, dir }, stream).catch((e) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(
        `state directory ${loose} is writable by group or others (mode 0${mode.toString(8)}): another user could plant files or symlinks in it`,
      );
      expect(error.hint).toContain(`chmod 700 ${loose}`);
      chmodSync(loose, 0o700);
      await (await openStateStore({ ...config, dir }, stream)).close();
    });
  }
});

const full = mkdtempSync(join(tmpdir(), "csh-full-"));
const unmount = canMountTmpfs() ? mountTmpfs(full) : undefined;
afterAll(() => {
  unmount?.();
  rmSync(full, { recursive: true, force: true });
});

describe.skipIf(!unmount)("fs store: disk full", () => {
  test("a failed write names the file and leaves no temp or lock-mutex file behind", async () => {
    const stream = newStream();
    const fullConfig = { ...config, dir: full };
    const store = await openStateStore(fullConfig, stream);
    await store.checkpoints.set(NOW);
    const got = await store.locks.tryAcquire(60_000);
    if (!("lease" in got)) throw new Error("expected the lease");
    fillDisk(join(full, "filler"));
    const streamDir = join(full, stream);
    try {
      const write = await store.checkpoints.set(NOW + 1).catch((e) => e);
      expect(write).toBeInstanceOf(StateError);
      expect(write.message).toBe(
        `cannot write ${join(streamDir, "checkpoint.json")}: ENOSPC (no space left on device)`,
      );
      const renew = await got.lease.renew().catch((e) => e);
      expect(renew.message).toBe(
        `cannot write ${join(streamDir, "lock.takeover")}: ENOSPC (no space left on device)`,
      );
      const other = await openStateStore(fullConfig, newStream());
      const lock = await other.locks.tryAcquire(60_000).catch((e) => e);
      expect(lock.message).toMatch(/^cannot write \S+\/lock: ENOSPC \(no space left on device\)$/);
      expect(readdirSync(streamDir).sort()).toEqual(["checkpoint.json", "lock"]);
      expect(readdirSync(full).filter((name) => name !== "filler" && name !== stream)).toEqual([
        expect.stringMatching(/^t\d+-/),
      ]);
      expect(await store.checkpoints.get()).toBe(NOW); // the old document is intact
    } finally {
      rmSync(join(full, "filler"), { force: true });
    }
  });
});

describe.skipIf(!canMountTmpfs())("fs store: read-only file system", () => {
  test("a write names the file and says the file system is read-only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "csh-ro-"));
    const unmountRo = mountTmpfs(dir);
    try {
      const stream = newStream();
      const store = await openStateStore({ ...config, dir }, stream);
      await store.checkpoints.set(NOW);
      expect(spawnSync("mount", ["-o", "remount,ro", dir]).status).toBe(0);
      const error = await store.checkpoints.set(NOW + 1).catch((e) => e);
      expect(error.message).toBe(
        `cannot write ${join(dir, stream, "checkpoint.json")}: EROFS (read-only file system)`,
      );
      expect(await store.checkpoints.get()).toBe(NOW);
    } finally {
      unmountRo?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function fillDisk(file: string): void {
  try {
    writeFileSync(file, Buffer.alloc(1 << 20));
  } catch {} // ENOSPC once the tmpfs is full: that is the point
}

function writeLock(stream: string, fields: { pid: number; host: string; expiresAt: string }) {
  mkdirSync(join(root, stream), { recursive: true });
  const record = { ...fields, token: "t0", since: new Date().toISOString() };
  writeFileSync(join(root, stream, "lock"), JSON.stringify(record));
}

function inOneHour(): string {
  return new Date(Date.now() + 3_600_000).toISOString();
}

function walk(dir: string): [string, number, boolean][] {
  const out: [string, number, boolean][] = [[dir, statSync(dir).mode & 0o777, true]];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push([path, statSync(path).mode & 0o777, false]);
  }
  return out;
}
