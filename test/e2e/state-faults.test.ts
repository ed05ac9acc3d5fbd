// The state store failing the way an operator's worst week fails it, seen through the compiled
// binary: a corrupt checkpoint under `health`, a full disk, a loose state dir, a hung Redis and a
// Redis restarted without persistence.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { runBinary, spawnBinary } from "../helpers/binary.ts";
import { type RedisServer, redisAvailable, startRedis } from "../helpers/redis.ts";
import { tempDir } from "../helpers/temp.ts";
import { canMountTmpfs, mountTmpfs } from "../helpers/tmpfs.ts";
import { closeWorlds, idsOf, repeats, startWorld, type World, waitFor } from "./world.ts";

setDefaultTimeout(60_000);
let world: World | undefined;
let redis: RedisServer | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await closeWorlds();
  await redis?.stop();
  redis = undefined;
});

/** The one stream directory a run created in the state dir. */
function streamDirOf(stateDir: string): string {
  const dirs = readdirSync(stateDir).filter((name) => statSync(join(stateDir, name)).isDirectory());
  expect(dirs).toHaveLength(1);
  return join(stateDir, dirs[0] ?? "");
}

/** Collects a running child's stderr as it comes. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string } {
  let text = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  })().catch(() => {});
  return { text: () => text };
}

test("health fails naming a corrupt checkpoint, as every run would", async () => {
  world = await startWorld({ events: 50 });
  expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
  expect((await runBinary(["health"], { env: world.env })).code).toBe(0);
  const checkpoint = join(streamDirOf(world.stateDir), "checkpoint.json");
  writeFileSync(checkpoint, JSON.stringify({ v: 1, ms: "1714566600000", at: "x" }));

  const health = await runBinary(["health"], { env: world.env });
  expect(health.code).toBe(1);
  expect(health.stdout).toContain(`FAIL  state   corrupt state document ${checkpoint}`);
  const forward = await runBinary(["forward"], { env: world.env });
  expect(forward.code).toBe(1);
  expect(forward.stderr).toContain(`corrupt state document ${checkpoint}`);
});

test("a state dir others can write is refused before any request: exit 2, naming the fix", async () => {
  world = await startWorld({ events: 10 });
  chmodSync(world.stateDir, 0o777);
  const result = await runBinary(["forward"], { env: world.env });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    `state directory ${world.stateDir} is writable by group or others`,
  );
  expect(result.stderr).toContain(`chmod 700 ${world.stateDir}`);
  expect(world.crusoe.requests).toHaveLength(0);
  expect(world.hec.accepted).toHaveLength(0);
});

describe("full disk", () => {
  test.skipIf(!canMountTmpfs())(
    "a run on a full disk names the file, leaves no 0-byte files, and a later run loses nothing",
    async () => {
      const mount = tempDir("csh-e2e-full-");
      const unmount = mountTmpfs(mount);
      if (!unmount) throw new Error(`cannot mount a tmpfs on ${mount}`);
      cleanups.push(unmount);
      world = await startWorld({ events: 100 });
      const stateDir = join(mount, "state");
      mkdirSync(stateDir, { mode: 0o700 });
      const env = { ...world.env, STATE_DIR: stateDir };
      expect((await runBinary(["forward"], { env })).code).toBe(0);
      const streamDir = streamDirOf(stateDir);
      const before = readdirSync(streamDir).sort();

      const now = Date.now();
      const more = generateAuditEntries(30, {
        startMs: now - 50_000,
        endMs: now - 40_000,
        seed: 8,
      });
      world.crusoe.addEntries(more);
      try {
        writeFileSync(join(mount, "filler"), Buffer.alloc(1 << 20));
      } catch {} // ENOSPC: the disk is full now
      for (let run = 0; run < 2; run++) {
        const failed = await runBinary(["forward"], { env });
        expect(failed.code).toBe(1);
        expect(failed.stderr).toMatch(
          new RegExp(`cannot write ${streamDir}/\\S+: ENOSPC \\(no space left on device\\)`),
        );
        expect(failed.stderr).not.toContain("unexpected error");
        // No 0-byte lock.takeover, lock or .<doc>.tmp-* left behind.
        expect(readdirSync(streamDir).sort()).toEqual(before);
      }

      rmSync(join(mount, "filler"));
      expect((await runBinary(["forward"], { env })).code).toBe(0);
      const ids = world.acceptedIds();
      expect(new Set(ids)).toEqual(new Set(idsOf([...world.entries, ...more])));
    },
  );
});

describe("Redis", () => {
  const hasRedis = redisAvailable();

  test.skipIf(!hasRedis)(
    "a hung Redis (SIGSTOP) fails the run within its lease; the next run loses nothing",
    async () => {
      redis = await startRedis();
      world = await startWorld({ events: 1500, seed: 21 });
      const env = {
        ...world.env,
        REDIS_URL: redis?.url ?? "",
        LOCK_TTL_SECONDS: "3",
        BATCH_SIZE: "50",
        SPLUNK_CONCURRENCY: "1",
      };
      world.hec.fail({ slowMs: 30 }, 40);
      const child = spawnBinary(["forward"], { env });
      const stderr = collect(child.stderr);
      await waitFor(() => (world?.hec.accepted.length ?? 0) >= 300);
      redis?.freeze();
      cleanups.push(() => redis?.thaw());
      let code: number | undefined;
      child.exited.then((c) => {
        code = c;
      });
      // Before the fix each command waited 15 s (about a minute in all): far past a 3 s lease.
      await waitFor(() => code !== undefined, 12_000);
      expect(code).toBe(1);
      expect(stderr.text()).toContain(
        "no answer within 1000 ms (bounded by a third of LOCK_TTL_SECONDS)",
      );
      redis?.thaw();

      await Bun.sleep(3_100); // the dead run's lease lapses
      expect((await runBinary(["forward"], { env })).code).toBe(0);
      const ids = world.acceptedIds();
      expect(new Set(ids)).toEqual(new Set(idsOf(world.entries)));
      // The README's crash bound: requests in flight plus those awaiting their id write,
      // 3 × SPLUNK_CONCURRENCY requests of BATCH_SIZE events.
      expect(repeats(ids)).toBeLessThanOrEqual(3 * 1 * 50);
    },
  );

  test.skipIf(!hasRedis)(
    "Redis restarted without persistence: warned at start, and the lost lock and checkpoint are named",
    async () => {
      redis = await startRedis({ persistence: false });
      world = await startWorld({ events: 100 });
      const env = { ...world.env, REDIS_URL: redis?.url ?? "", LOCK_TTL_SECONDS: "3" };
      // A long interval: nothing writes between the restart and the next cycle's first read.
      const daemon = spawnBinary(["daemon", "--interval", "4"], { env });
      const stderr = collect(daemon.stderr);
      await waitFor(() => stderr.text().includes("forward ok"));
      expect(world.hec.accepted).toHaveLength(100);
      expect(stderr.text()).toContain(
        `Redis at redis://127.0.0.1:${redis?.port} has persistence off (no RDB save points, appendonly no)`,
      );

      await redis?.restartEmpty();
      await waitFor(() => stderr.text().includes("has disappeared although"), 20_000);
      daemon.kill("SIGTERM");
      expect(await daemon.exited).toBe(0);
      const text = stderr.text();
      expect(text).toMatch(
        /the lock key crusoe-splunk-hec:\w+:lock disappeared: .*was Redis restarted without persistence/,
      );
      expect(text).not.toContain("taken over by another run");
      expect(text).toMatch(
        /the checkpoint crusoe-splunk-hec:\w+:checkpoint\.json has disappeared although this process saw it/,
      );
    },
  );
});
