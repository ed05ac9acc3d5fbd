import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import Redis from "ioredis";
import type { StateConfig } from "../../src/config/types.ts";
import { StateError } from "../../src/state/errors.ts";
import { openStateStore } from "../../src/state/store.ts";
import { findFreePort, startRedis } from "../helpers/redis.ts";
import { captureLogs, DAY, id, NOW, newStream, runStateSuite } from "./suite.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const redis = await startRedis();
const client = redis && new Redis(redis.url, { maxRetriesPerRequest: 1 });
client?.on("error", () => {}); // the restart test takes the server away on purpose
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});
const config = (url = redis?.url): StateConfig => ({
  dir: "/nonexistent/never-used",
  redisUrl: url,
  deadLetterFile: "/nonexistent/dead-letter.ndjson",
  lockTtlMs: 60_000,
});

if (redis && client) {
  runStateSuite("redis", () => ({
    kind: "redis",
    config: config(),
    writeRaw: async (stream, key, text) => {
      await client.set(`crusoe-splunk-hec:${stream}:${key}`, text);
    },
    readRaw: async (location) => (await client.get(location)) ?? undefined,
    deleteRaw: async (stream, key) => {
      await client.del(`crusoe-splunk-hec:${stream}:${key}`);
    },
  }));
} else {
  test.skip("state store: redis (redis-server not installed)", () => {});
}

describe.skipIf(!redis)("redis store specifics", () => {
  test("Redis down: one clear error naming the endpoint, never the password", async () => {
    const port = await findFreePort();
    const url = `redis://:s3cret-pw@127.0.0.1:${port}/2`;
    const error = await openStateStore(config(url), newStream()).catch((e) => e);
    expect(error).toBeInstanceOf(StateError);
    expect(error.message).toStartWith(`cannot reach Redis at redis://127.0.0.1:${port} (`);
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain("s3cret-pw");
  });

  test("the displayed location hides the password", async () => {
    const store = await openStateStore(
      config(`redis://:s3cret-pw@127.0.0.1:${redis?.port}/3`),
      "x",
    );
    expect(store.location).toBe(`redis://:***@127.0.0.1:${redis?.port}/3`);
    await store.close();
  });

  test("Redis going away mid-run fails clearly, loses nothing committed, and recovers", async () => {
    const stream = newStream();
    const store = await openStateStore(config(), stream);
    const set = await store.dedup.load(NOW, DAY);
    await store.dedup.commit(set, [{ id: id("before"), timeMs: NOW }]);

    await redis?.pause();
    const error = await store.dedup
      .commit(set, [{ id: id("during"), timeMs: NOW }])
      .catch((e) => e);
    expect(error).toBeInstanceOf(StateError);
    expect(error.message).toContain(`cannot reach Redis at redis://127.0.0.1:${redis?.port}`);
    expect(await set.has(id("during"), NOW)).toBe(false); // not recorded, so it will be sent again
    await redis?.resume();

    const after = await store.dedup.load(NOW, DAY); // the same store reconnects
    expect([await after.has(id("before"), NOW), await after.has(id("during"), NOW)]).toEqual([
      true,
      false,
    ]);
    await store.dedup.commit(after, [{ id: id("during"), timeMs: NOW }]);
    await store.close();
    const fresh = await openStateStore(config(), stream);
    expect((await fresh.dedup.load(NOW, DAY)).size).toBe(2);
    await fresh.close();
  });

  test("a restart keeps the data and the open store keeps working", async () => {
    const stream = newStream();
    const store = await openStateStore(config(), stream);
    await store.checkpoints.set(NOW);
    await redis?.restart();
    expect(await store.checkpoints.get()).toBe(NOW);
    await store.close();
  });

  test("a hung Redis (SIGSTOP) fails each command within a third of the lease", async () => {
    const store = await openStateStore({ ...config(), lockTtlMs: 3_000 }, newStream());
    const set = await store.dedup.load(NOW, DAY);
    const got = await store.locks.tryAcquire(3_000);
    if (!("lease" in got)) throw new Error("expected the lease");
    redis?.freeze();
    try {
      const started = Date.now();
      const commit = await store.dedup.commit(set, [{ id: id(1), timeMs: NOW }]).catch((e) => e);
      const renew = await got.lease.renew().catch((e) => e);
      const waited = Date.now() - started;
      for (const error of [commit, renew]) {
        expect(error).toBeInstanceOf(StateError);
        expect(error.message).toBe(
          `Redis at redis://127.0.0.1:${redis?.port} failed: no answer within 1000 ms (bounded by a third of LOCK_TTL_SECONDS)`,
        );
      }
      // Two commands, each bounded by ttl/3: both failed before the 3 s lease could lapse.
      expect(waited).toBeLessThan(3_000);
    } finally {
      redis?.thaw();
      await store.close();
    }
  });

  test("persistence: on is reported, off is warned about at open, unknown when CONFIG is refused", async () => {
    const store = await openStateStore(config(), newStream());
    expect(await store.persistence()).toEqual({
      durable: true,
      detail: "persistence RDB (save 3600 1)",
    });
    await store.close();

    const servers = await Promise.all([
      startRedis({ persistence: false }),
      startRedis({ persistence: false, args: ["--rename-command", "CONFIG", ""] }),
      startRedis({
        persistence: false,
        args: ["--appendonly", "yes", "--rename-command", "CONFIG", ""],
      }),
    ]);
    try {
      const results: [boolean | undefined, string, string][] = [];
      for (const server of servers) {
        let persistence: Awaited<ReturnType<typeof store.persistence>> | undefined;
        const logs = await captureLogs(async () => {
          const opened = await openStateStore(config(server?.url), newStream());
          persistence = await opened.persistence();
          await opened.close();
        });
        results.push([persistence?.durable, persistence?.detail ?? "", logs.join("\n")]);
      }
      const [off, unknown, aof] = results;
      expect(off?.[0]).toBe(false);
      expect(off?.[2]).toContain(
        `Redis at redis://127.0.0.1:${servers[0]?.port} has persistence off (no RDB save points, appendonly no): a Redis restart loses the checkpoint and dedup ids`,
      );
      expect(unknown?.slice(0, 2)).toEqual([
        undefined,
        "persistence unknown (CONFIG GET refused; make sure RDB or AOF is on)",
      ]);
      expect(unknown?.[2]).toBe("");
      expect(aof?.slice(0, 3)).toEqual([true, "persistence AOF", ""]);
    } finally {
      await Promise.all(servers.map((server) => server?.stop()));
    }
  });
});
