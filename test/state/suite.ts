// One behavioural suite for every state store (fs and Redis), like unstorage's own driver tests.
import { afterEach, describe, expect, test } from "bun:test";
import type { LogObject } from "consola";
import type { StateConfig } from "../../src/config/types.ts";
import { logger } from "../../src/log.ts";
import { CorruptStateError } from "../../src/state/errors.ts";
import type { RunStatus } from "../../src/state/status.ts";
import { openStateStore, type StateStore } from "../../src/state/store.ts";
import { trackChild } from "../helpers/children.ts";

export interface StoreFixture {
  kind: "fs" | "redis";
  config: StateConfig;
  /** Damage a document behind the store's back (key relative to the stream). */
  writeRaw(stream: string, key: string, text: string): Promise<void>;
  /** Raw content at an fs path or Redis key, as named in messages and `movedAside`. */
  readRaw(location: string): Promise<string | undefined>;
  /** Delete a document or the lock behind the store's back (a Redis that lost its data). */
  deleteRaw(stream: string, key: string): Promise<void>;
}

/** Errors and warnings the code logs while `fn` runs. */
export async function captureLogs(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const reporters = logger.options.reporters;
  logger.setReporters([{ log: (entry: LogObject) => void lines.push(entry.args.join(" ")) }]);
  try {
    await fn();
  } finally {
    logger.setReporters(reporters);
  }
  return lines;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A fixed "now" far from the wall clock: pruning must follow event time, not send time. */
export const NOW = Date.parse("2024-05-01T12:30:00Z");

let counter = 0;
export const newStream = () => `t${++counter}-${Math.random().toString(16).slice(2, 8)}`;
export const id = (n: number | string) => `id-${n}`.padEnd(16, "x");
const WORKER = `${import.meta.dirname}/worker.ts`;

export function runWorker(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = trackChild(
    Bun.spawn(["bun", WORKER, ...args], { stdout: "pipe", stderr: "inherit" }),
  );
  return child.exited.then(async (code) => ({
    code,
    out: await new Response(child.stdout).text(),
  }));
}

/** Starts a worker that holds the lock; resolves once it says so. */
export async function startHolder(config: StateConfig, stream: string, ttlMs: number) {
  const child = trackChild(
    Bun.spawn(["bun", WORKER, "hold", JSON.stringify(config), stream, String(ttlMs)], {
      stdout: "pipe",
      stderr: "inherit",
    }),
  );
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("held");
  return child;
}

export function runStateSuite(name: string, fixture: () => StoreFixture) {
  describe(`state store: ${name}`, () => {
    const opened: StateStore[] = [];
    const open = async (stream: string) => {
      const store = await openStateStore(fixture().config, stream);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    test("a new stream has no state", async () => {
      const store = await open(newStream());
      await store.ping();
      expect(await store.checkpoints.get()).toBeUndefined();
      expect((await store.dedup.load(NOW, DAY)).size).toBe(0);
      expect(await store.status.read()).toBeUndefined();
      expect(await store.locks.holder()).toBeUndefined();
      expect(await store.dedup.stats()).toEqual({ trackedIds: 0, buckets: 0 });
    });

    test("ids are recorded only by commit, and a later run sees them", async () => {
      const stream = newStream();
      const first = await open(stream);
      const set = await first.dedup.load(NOW, DAY);
      expect(await set.has(id(1), NOW - 10_000)).toBe(false);
      // Filtering read the set, but nothing was confirmed yet: a new run must not skip them.
      expect((await (await open(stream)).dedup.load(NOW, DAY)).size).toBe(0);

      await first.dedup.commit(set, [
        { id: id(1), timeMs: NOW - 10_000 },
        { id: id(2), timeMs: NOW - 2 * HOUR },
      ]);
      expect(await set.has(id(1), NOW - 10_000)).toBe(true); // the same run skips them too
      expect(set.size).toBe(2); // and counts them: the stream has accepted events now
      const later = await (await open(stream)).dedup.load(NOW, DAY);
      expect(later.size).toBe(2);
      expect(await later.has(id(1), NOW - 10_000)).toBe(true);
      expect(await later.has(id(2), NOW - 2 * HOUR)).toBe(true);
      expect(await later.has(id(3), NOW)).toBe(false);
    });

    test("a batch that holds an id twice records it once", async () => {
      const stream = newStream();
      const store = await open(stream);
      const set = await store.dedup.load(NOW, DAY);
      const twice = { id: id("twice"), timeMs: NOW };
      await store.dedup.commit(set, [twice, { id: id("once"), timeMs: NOW }, twice]);
      expect(set.size).toBe(2);
      // What a later run reads: the document holds each id once.
      expect((await (await open(stream)).dedup.load(NOW, DAY)).size).toBe(2);
      expect((await store.dedup.stats()).trackedIds).toBe(2);
    });

    test("the hours a run starts in are kept from load's read: found at once, take commits", async () => {
      const stream = newStream();
      const first = await open(stream);
      const before = await first.dedup.load(NOW, DAY);
      const early = Array.from({ length: 20 }, (_, n) => id(`start-${n}`));
      // The run's first hour (several deltas, so a merge follows below) and the next one.
      for (const one of early) await first.dedup.commit(before, [{ id: one, timeMs: NOW - HOUR }]);
      await first.dedup.commit(before, [{ id: id("next"), timeMs: NOW }]);
      await first.dedup.commit(before, [{ id: id("older"), timeMs: NOW - 3 * HOUR }]);

      const set = await (await open(stream)).dedup.load(NOW, DAY, NOW - HOUR);
      expect(set.size).toBe(22);
      // Kept hours answer synchronously, from the documents load() read.
      expect(early.map((one) => set.has(one, NOW - HOUR))).toEqual(early.map(() => true));
      expect(set.has(id("next"), NOW)).toBe(true);
      expect(set.has(id("other"), NOW - HOUR)).toBe(false);
      expect(await set.has(id("older"), NOW - 3 * HOUR)).toBe(true);
      // Commits to a kept hour (and the merge they cause) lose nothing, in this run or the next.
      const added = Array.from({ length: 16 }, (_, n) => id(`added-${n}`));
      const store = await open(stream);
      for (const one of added) await store.dedup.commit(set, [{ id: one, timeMs: NOW - HOUR }]);
      expect(added.every((one) => set.has(one, NOW - HOUR) === true)).toBe(true);
      set.forgetBefore(NOW + HOUR);
      expect(await set.has(early[0] as string, NOW - HOUR)).toBe(true);
      const later = await (await open(stream)).dedup.load(NOW, DAY);
      expect(later.size).toBe(38);
      for (const one of [...early, ...added]) expect(await later.has(one, NOW - HOUR)).toBe(true);
      expect((await store.dedup.stats()).trackedIds).toBe(38);
    });

    test("ids are pruned by event time, not by when they were sent", async () => {
      const stream = newStream();
      const store = await open(stream);
      const set = await store.dedup.load(NOW, DAY);
      await store.dedup.commit(set, [
        { id: id("recent"), timeMs: NOW - HOUR },
        { id: id("edge"), timeMs: NOW - 23 * HOUR },
        { id: id("old"), timeMs: NOW - 30 * HOUR }, // sent now, but its event is past retention
      ]);
      const now = await (await open(stream)).dedup.load(NOW, DAY);
      expect([
        await now.has(id("recent"), NOW - HOUR),
        await now.has(id("edge"), NOW - 23 * HOUR),
        await now.has(id("old"), NOW - 30 * HOUR),
      ]).toEqual([true, true, false]);
      expect((await store.dedup.stats()).buckets).toBe(2);

      // Two hours later the 23-hour-old event has left the retention.
      const later = await (await open(stream)).dedup.load(NOW + 2 * HOUR, DAY);
      expect([
        await later.has(id("recent"), NOW - HOUR),
        await later.has(id("edge"), NOW - 23 * HOUR),
      ]).toEqual([true, false]);
      // Reading does not delete; the next commit removes the expired bucket from the store.
      expect((await store.dedup.stats()).buckets).toBe(2);
      await store.dedup.commit(later, [{ id: id("new"), timeMs: NOW + HOUR }]);
      const stats = await store.dedup.stats();
      expect(stats).toEqual({
        trackedIds: 2,
        buckets: 2,
        oldestMs: NOW - HOUR,
        newestMs: NOW + HOUR,
      });
    });

    test("checkpoint and range progress survive a restart; a finished range is remembered", async () => {
      const stream = newStream();
      const store = await open(stream);
      await store.checkpoints.set(NOW);
      const range = `${NOW - DAY}-${NOW}`;
      expect(await store.checkpoints.getRange(range)).toBeUndefined();
      await store.checkpoints.setRange(range, { doneUntilMs: NOW - 12 * HOUR, finished: false });

      const again = await open(stream);
      expect(await again.checkpoints.get()).toBe(NOW);
      expect(await again.checkpoints.getRange(range)).toEqual({
        doneUntilMs: NOW - 12 * HOUR,
        finished: false,
      });
      await again.checkpoints.setRange(range, { doneUntilMs: NOW, finished: true });
      expect(await (await open(stream)).checkpoints.getRange(range)).toEqual({
        doneUntilMs: NOW,
        finished: true,
      });
      expect(await again.checkpoints.getRange(`${NOW - DAY}-${NOW + 1}`)).toBeUndefined();
    });

    test("the last run's status is stored", async () => {
      const stream = newStream();
      const status: RunStatus = {
        command: "forward",
        startedAt: "2024-05-01T12:00:00.000Z",
        endedAt: "2024-05-01T12:00:05.000Z",
        outcome: "dead-lettered",
        fetched: 10,
        delivered: 9,
        duplicates: 3,
        deadLettered: 1,
        retries: 2,
        checkpoint: "2024-05-01T11:59:45.000Z",
        lagSeconds: 15,
        lastError: "HEC code 6 for one event",
      };
      await (await open(stream)).status.write(status);
      expect(await (await open(stream)).status.read()).toEqual(status);
    });

    test("streams sharing a store keep separate state; clear resets one", async () => {
      const [a, b] = [newStream(), newStream()];
      const storeA = await open(a);
      const storeB = await open(b);
      await storeA.dedup.commit(await storeA.dedup.load(NOW, DAY), [{ id: id(1), timeMs: NOW }]);
      await storeA.checkpoints.set(NOW);
      await storeA.checkpoints.setRange("1-2", { doneUntilMs: 2, finished: true });
      await storeB.checkpoints.set(NOW - HOUR);
      expect(await (await storeB.dedup.load(NOW, DAY)).has(id(1), NOW)).toBe(false);

      expect(await storeA.clear()).toEqual({ movedAside: [] });
      const fresh = await open(a);
      expect((await fresh.dedup.load(NOW, DAY)).size).toBe(0);
      expect(await fresh.checkpoints.get()).toBeUndefined();
      expect(await fresh.checkpoints.getRange("1-2")).toBeUndefined();
      expect(await storeB.checkpoints.get()).toBe(NOW - HOUR);
    });

    test("a corrupt document stops every run, naming it, until clear moves it aside", async () => {
      const stream = newStream();
      const store = await open(stream);
      await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: id(1), timeMs: NOW }]);
      const bucket = "dedup:2024-05-01T12.json";
      const truncated = '{"v":1,"hour":"2024-05-01T12","minMs":1,"maxMs":2,"ids":["id-1xxxx';
      await fixture().writeRaw(stream, bucket, truncated);

      for (let run = 0; run < 2; run++) {
        const error = await (await open(stream)).dedup.load(NOW, DAY).catch((e) => e);
        expect(error).toBeInstanceOf(CorruptStateError);
        expect(error.exitCode).toBe(1);
        expect(error.message).toContain(error.location);
        expect(error.location).toMatch(/dedup.2024-05-01T12\.json$/);
        expect(error.hint).toContain("dedup-stats --clear");
      }

      // Valid JSON of the wrong shape is corrupt too, for every kind of document.
      await fixture().writeRaw(stream, "checkpoint.json", '"2024-05-01"');
      await expect((await open(stream)).checkpoints.get()).rejects.toThrow(/checkpoint\.json/);
      await fixture().writeRaw(stream, "status.json", "");
      await expect((await open(stream)).status.read()).rejects.toBeInstanceOf(CorruptStateError);

      const { movedAside } = await store.clear();
      expect(movedAside).toHaveLength(3);
      const aside = movedAside.find((place) => place.includes("dedup"));
      expect(aside).toMatch(/2024-05-01T12\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
      expect(await fixture().readRaw(aside ?? "")).toBe(truncated); // kept for inspection
      const fresh = await open(stream);
      expect((await fresh.dedup.load(NOW, DAY)).size).toBe(0);
      expect(await fresh.checkpoints.get()).toBeUndefined();
    });

    test("the lock admits one holder; renew extends, release frees it", async () => {
      const stream = newStream();
      const first = await open(stream);
      const second = await open(stream);
      const got = await first.locks.tryAcquire(60_000);
      if (!("lease" in got)) throw new Error("expected the lease");
      const { lease } = got;
      expect(lease.holder.pid).toBe(process.pid);

      const blocked = await second.locks.tryAcquire(60_000);
      expect(blocked).toEqual({ heldBy: lease.holder });
      expect(await second.locks.holder()).toEqual(lease.holder);

      const expiresBefore = lease.holder.expiresAt;
      await Bun.sleep(5);
      expect(await lease.renew()).toBe(true);
      expect(lease.holder.expiresAt > expiresBefore).toBe(true);
      expect(lease.holder.since).toBe(got.lease.holder.since);
      expect((await second.locks.holder())?.expiresAt).toBe(lease.holder.expiresAt);

      await lease.release();
      expect(await second.locks.holder()).toBeUndefined();
      expect("lease" in (await second.locks.tryAcquire(60_000))).toBe(true);
    });

    test("an expired lease is taken over, and its old owner can neither renew nor release it", async () => {
      const stream = newStream();
      const old = await (await open(stream)).locks.tryAcquire(50);
      if (!("lease" in old)) throw new Error("expected the lease");
      await Bun.sleep(120);
      const taken = await (await open(stream)).locks.tryAcquire(60_000);
      if (!("lease" in taken)) throw new Error("expected a takeover");
      expect(await old.lease.renew()).toBe(false);
      await old.lease.release();
      expect(await (await open(stream)).locks.holder()).toEqual(taken.lease.holder);
    });

    test("racing for an expired lock, exactly one contender wins", async () => {
      const stream = newStream();
      await (await open(stream)).locks.tryAcquire(30);
      await Bun.sleep(80);
      const stores = await Promise.all(Array.from({ length: 8 }, () => open(stream)));
      const results = await Promise.all(stores.map((store) => store.locks.tryAcquire(60_000)));
      const winners = results.filter((result) => "lease" in result);
      expect(winners).toHaveLength(1);
    });

    test("another process is refused while the lock is held, and gets it after release", async () => {
      const stream = newStream();
      const config = JSON.stringify(fixture().config);
      const store = await open(stream);
      const got = await store.locks.tryAcquire(60_000);
      if (!("lease" in got)) throw new Error("expected the lease");

      const refused = await runWorker(["try", config, stream]);
      expect(refused.code).toBe(0); // exits by itself: close() left no socket open
      expect(JSON.parse(refused.out)).toEqual({ heldBy: got.lease.holder });

      await got.lease.release();
      const granted = JSON.parse((await runWorker(["try", config, stream])).out);
      expect(granted.lease.pid).not.toBe(process.pid);
    });

    test("a lock whose holder process was killed is taken over once it lapses", async () => {
      const stream = newStream();
      // fs must notice the dead pid while the lease is still valid; Redis only has the expiry.
      const isFs = fixture().kind === "fs";
      const holder = await startHolder(fixture().config, stream, isFs ? 60_000 : 1_000);
      const store = await open(stream);
      const blocked = await store.locks.tryAcquire(60_000);
      expect(blocked).toEqual({ heldBy: expect.objectContaining({ pid: holder.pid }) });
      holder.kill("SIGKILL");
      await holder.exited;
      if (!isFs) await Bun.sleep(1_100); // no renewals now: the lease lapses
      expect("lease" in (await store.locks.tryAcquire(60_000))).toBe(true);
    });

    test("many small commits to one hour stay small documents, compact, and lose nothing", async () => {
      const stream = newStream();
      const store = await open(stream);
      const set = await store.dedup.load(NOW, DAY);
      const ids = Array.from({ length: 800 }, (_, n) => id(`many-${n}`));
      for (let n = 0; n < ids.length; n += 10) {
        await store.dedup.commit(
          set,
          ids.slice(n, n + 10).map((one) => ({ id: one, timeMs: NOW - 1000 })),
        );
      }
      const stats = await store.dedup.stats();
      expect(stats.trackedIds).toBe(800);
      expect(stats.buckets).toBe(1);
      const again = await (await open(stream)).dedup.load(NOW, DAY);
      expect(again.size).toBe(800);
      const found = await Promise.all(ids.map((one) => again.has(one, NOW - 1000)));
      expect(found.every(Boolean)).toBe(true);
    });

    test("hours forgotten from memory are read again when asked", async () => {
      const stream = newStream();
      const store = await open(stream);
      const set = await store.dedup.load(NOW, DAY);
      await store.dedup.commit(set, [{ id: id("early"), timeMs: NOW - 5 * HOUR }]);
      set.forgetBefore(NOW);
      expect(await set.has(id("early"), NOW - 5 * HOUR)).toBe(true);
      expect(await set.has(id("early"), NOW - HOUR)).toBe(false); // another hour, another event
    });

    test("documents of the right version with a field of the wrong type are corrupt, each named", async () => {
      const hour = "2024-05-01T12";
      const bucket = { v: 1, hour, minMs: NOW, maxMs: NOW, ids: [id(1)] };
      const status = { command: "forward", startedAt: "a", endedAt: "b", outcome: "ok" };
      const counts = { fetched: 1, delivered: 1, duplicates: 0, deadLettered: 0, retries: 0 };
      const cases: [string, unknown, (store: StateStore) => Promise<unknown>][] = [
        ["checkpoint.json", { v: 1, ms: String(NOW), at: "x" }, (s) => s.checkpoints.get()],
        ["checkpoint.json", { v: 1, at: "x" }, (s) => s.checkpoints.get()],
        [
          "range:1-2.json",
          { v: 1, doneUntilMs: 2, finished: "yes", at: "x" },
          (s) => s.checkpoints.getRange("1-2"),
        ],
        ["status.json", { ...status, ...counts, delivered: "1" }, (s) => s.status.read()],
        ["status.json", { ...status, ...counts, outcome: "fine" }, (s) => s.status.read()],
        // A bucket naming another hour would put its ids under the wrong hour: never trusted.
        [`dedup:${hour}.json`, { ...bucket, hour: "2024-05-01T11" }, (s) => s.dedup.load(NOW, DAY)],
        [`dedup:${hour}-d1.json`, { ...bucket, ids: [1] }, (s) => s.dedup.load(NOW, DAY)],
        [`dedup:${hour}.json`, { ...bucket, minMs: "0" }, (s) => s.dedup.load(NOW, DAY)],
      ];
      for (const [key, doc, read] of cases) {
        const stream = newStream();
        await fixture().writeRaw(stream, key, JSON.stringify(doc));
        const store = await open(stream);
        const name = key.replace(/:/g, ".");
        for (const attempt of [() => read(store), () => store.verify(NOW, DAY)]) {
          const error = await attempt().catch((e: CorruptStateError) => e);
          expect(`${key}: ${error?.constructor?.name}`).toBe(`${key}: CorruptStateError`);
          expect((error as CorruptStateError).location.replace(/[:/]/g, ".")).toEndWith(name);
        }
      }
    });

    test("verify passes on healthy state and a new stream", async () => {
      const stream = newStream();
      const store = await open(stream);
      await store.verify(NOW, DAY);
      await store.dedup.commit(await store.dedup.load(NOW, DAY), [{ id: id(1), timeMs: NOW }]);
      await store.checkpoints.set(NOW);
      await store.checkpoints.setRange("1-2", { doneUntilMs: 2, finished: true });
      await store.verify(NOW, DAY);
    });

    test("a lost lease says what happened: the lock vanished, or another run took it over", async () => {
      const stream = newStream();
      const got = await (await open(stream)).locks.tryAcquire(60_000);
      if (!("lease" in got)) throw new Error("expected the lease");
      await fixture().deleteRaw(stream, "lock");
      expect(await got.lease.renew()).toBe(false);
      expect(got.lease.lostReason).toMatch(
        fixture().kind === "redis"
          ? /^the lock key \S+:lock disappeared: .*was Redis restarted without persistence/
          : /^the lock file \S+lock disappeared/,
      );

      const other = newStream();
      const old = await (await open(other)).locks.tryAcquire(50);
      if (!("lease" in old)) throw new Error("expected the lease");
      await Bun.sleep(120);
      const taken = await (await open(other)).locks.tryAcquire(60_000);
      if (!("lease" in taken)) throw new Error("expected a takeover");
      expect(await old.lease.renew()).toBe(false);
      expect(old.lease.lostReason).toBe(
        `the lock lease was taken over by another run: pid ${process.pid} on ${taken.lease.holder.host} since ${taken.lease.holder.since}`,
      );
    });

    test("a checkpoint that vanishes after a run recorded it is reported loudly", async () => {
      const stream = newStream();
      const store = await open(stream);
      await store.checkpoints.set(NOW);
      await fixture().deleteRaw(stream, "checkpoint.json");
      let logs = await captureLogs(() => store.checkpoints.get());
      expect(logs.join("\n")).toMatch(
        /the checkpoint \S+checkpoint.json has disappeared although this process saw it at 2024-05-01T12:30:00.000Z: was Redis restarted without persistence/,
      );

      // Another process: the last forward run's status still names the checkpoint it left.
      const lost = newStream();
      const status: RunStatus = {
        command: "forward",
        startedAt: "2024-05-01T12:00:00.000Z",
        endedAt: "2024-05-01T12:00:05.000Z",
        outcome: "ok",
        ...{ fetched: 1, delivered: 1, duplicates: 0, deadLettered: 0, retries: 0 },
        checkpoint: "2024-05-01T11:59:45.000Z",
      };
      await (await open(lost)).status.write(status);
      logs = await captureLogs(async () => {
        expect(await (await open(lost)).checkpoints.get()).toBeUndefined();
      });
      expect(logs.join("\n")).toContain(
        "although the last forward run (ended 2024-05-01T12:00:05.000Z) left it at 2024-05-01T11:59:45.000Z",
      );

      // A first run has no checkpoint and nothing to say about it.
      logs = await captureLogs(() => open(newStream()).then((s) => s.checkpoints.get()));
      expect(logs).toEqual([]);
    });

    test("100k ids round-trip", async () => {
      const stream = newStream();
      const store = await open(stream);
      const events = Array.from({ length: 100_000 }, (_, n) => ({
        id: `${n.toString(16).padStart(8, "0")}${"ab".repeat(28)}`,
        timeMs: NOW - (n % 24) * HOUR + (n % 1000),
      }));
      await store.dedup.commit(await store.dedup.load(NOW, DAY), events);
      const set = await (await open(stream)).dedup.load(NOW, DAY);
      expect(set.size).toBe(100_000);
      const found = await Promise.all(events.map((event) => set.has(event.id, event.timeMs)));
      expect(found.every(Boolean)).toBe(true);
      expect(await set.has(`${"f".repeat(8)}${"ab".repeat(28)}`, NOW)).toBe(false);
      expect((await store.dedup.stats()).trackedIds).toBe(100_000);
    }, 30_000); // correctness, not speed: a loaded machine must not fail it
  });
}
