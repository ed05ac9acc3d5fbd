// What runs leave behind for the next one: the forward checkpoint, forward-range progress, and
// a daemon that lost its lease while paused leaving the stream to the one that took over.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { parseWireQuery } from "../../src/crusoe/sign.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { runBinary } from "../helpers/binary.ts";
import { useRedis } from "../helpers/redis.ts";
import { killAll, start } from "./signals.ts";
import { closeWorldsAfterEach, idsOf, repeats, startWorld, type World, waitFor } from "./world.ts";

setDefaultTimeout(90_000);
let world: World | undefined;
const redis = useRedis();
afterEach(killAll);
closeWorldsAfterEach();

const HOUR = 3_600_000;

async function jsonOf(w: World, args: string[], env: Record<string, string> = {}) {
  const result = await runBinary([...args, "--json"], { env: { ...w.env, ...env } });
  return JSON.parse(result.stdout);
}

/** start_time of the first audit-log query made after request number `from`. */
function firstStartAfter(w: World, from: number): number {
  // The clock probe (limit=1) comes first; the window's first page is what counts.
  const pages = w.crusoe.requests.slice(from).map((r) => new Map(parseWireQuery(r.query)));
  const first = pages.find((q) => q.has("start_time") && q.get("limit") !== "1");
  return Date.parse(first?.get("start_time") ?? "");
}

test("forward writes its checkpoint; the next run reads from checkpoint − overlap", async () => {
  world = await startWorld({ events: 400 });
  expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
  const status = await jsonOf(world, ["status"]);
  expect(status.checkpoint).not.toBeNull();
  expect(status.checkpoint).toBe(status.lastRun.checkpoint);
  const checkpointMs = Date.parse(status.checkpoint);

  const before = world.crusoe.requests.length;
  expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
  expect(firstStartAfter(world, before)).toBe(checkpointMs - 300_000);
  expect(world.hec.accepted).toHaveLength(400);
});

test("a finished forward-range is not sent again after a forward pruned its ids", async () => {
  world = await startWorld({ events: 600 });
  const now = Date.now();
  const old = generateAuditEntries(300, {
    startMs: now - 6 * HOUR,
    endMs: now - 4 * HOUR,
    seed: 31,
  });
  world.crusoe.addEntries(old);
  const range = [
    "forward-range",
    "--start-time",
    new Date(now - 6 * HOUR).toISOString(),
    "--end-time",
    new Date(now - 3 * HOUR).toISOString(),
  ];
  expect((await runBinary(range, { env: world.env })).code).toBe(0);
  expect(new Set(world.acceptedIds())).toEqual(new Set(idsOf(old)));

  // A forward with a 1 h retention commits recent events and prunes the range's ids.
  const pruning = { DEDUP_RETENTION_SECONDS: "3600", LOOKBACK_SECONDS: "1800" };
  expect((await runBinary(["forward"], { env: { ...world.env, ...pruning } })).code).toBe(0);
  const stats = await jsonOf(world, ["dedup-stats"]);
  expect(Date.parse(stats.oldestEvent)).toBeGreaterThan(now - 3 * HOUR);

  const sent = world.hec.accepted.length;
  const again = await runBinary(range, { env: world.env });
  expect(again.code).toBe(0);
  expect(again.stderr).toContain("was already forwarded: nothing to do");
  expect(world.hec.accepted).toHaveLength(sent);
  expect(repeats(world.acceptedIds())).toBe(0);
});

test("a daemon paused past its lease (Redis) stops without committing once it runs again", async () => {
  const server = redis();
  if (!server) return;
  world = await startWorld({ events: 3000 });
  const batch = 50;
  const env = {
    ...world.env,
    REDIS_URL: `${server.url}/${Math.floor(Math.random() * 15) + 1}`,
    LOCK_TTL_SECONDS: "3",
    BATCH_SIZE: String(batch),
    SPLUNK_CONCURRENCY: "1",
  };
  world.hec.fail({ slowMs: 60 }, 2000);
  const paused = start(["daemon", "--interval", "300"], { env });
  await waitFor(() => (world?.hec.accepted.length ?? 0) >= 500);
  paused.process.kill("SIGSTOP");

  // The standby takes over once the lease lapses and delivers the rest.
  const standby = start(["daemon", "--interval", "300"], { env });
  await waitFor(() => standby.stderr().includes("forward ok"), 60_000);
  expect(new Set(world.acceptedIds())).toEqual(new Set(idsOf(world.entries)));
  const afterTakeover = world.hec.accepted.length;

  paused.process.kill("SIGCONT");
  await waitFor(() => /lock lease/.test(paused.stderr()), 20_000);
  await Bun.sleep(1500); // a run that went on would keep sending now
  expect(paused.stderr()).toMatch(/forward failed/);
  // At most the one request in flight when it was paused is repeated (the standby could not
  // know Splunk had it); the paused daemon sends nothing more and commits nothing.
  expect(world.hec.accepted.length - afterTakeover).toBeLessThanOrEqual(batch);
  expect(repeats(world.acceptedIds())).toBeLessThanOrEqual(batch);

  paused.process.kill("SIGTERM");
  standby.process.kill("SIGTERM");
  expect(await paused.exitWithin(10_000)).toBe(0);
  expect(await standby.exitWithin(10_000)).toBe(0);
  // The stream is whole afterwards: a forward sends nothing new and repeats nothing more.
  const rerun = await runBinary(["forward"], { env });
  expect(rerun.code).toBe(0);
  expect(repeats(world.acceptedIds())).toBeLessThanOrEqual(batch);
});
