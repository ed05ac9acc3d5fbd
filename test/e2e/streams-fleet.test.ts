// Daemons sharing one config file through Redis (issue 12): they split the streams, a killed
// daemon's streams move to the others within the lease, a joining daemon takes its share, and
// no stream ever has two writers. Real redis-server, two Crusoe emulators, one HEC, the binary.
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import type { AuditLogEntry } from "../../src/crusoe/entry.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type RedisServer, redisAvailable, startRedis } from "../helpers/redis.ts";
import { closeFleet, type Fleet, leasesOf, startDaemon, startFleet } from "./fleet.ts";
import { idsOf, repeats, waitFor } from "./world.ts";

setDefaultTimeout(180_000);

let redis: RedisServer | undefined;
let fleet: Fleet | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await closeFleet(fleet);
  fleet = undefined;
});

const NAMES = ["org-a", "org-a.deletes", "org-b"];
const BATCH = 20;
const TTL_SECONDS = 3;

/** Until the daemons' leases cover every stream, each exactly once, and `check` holds. */
async function waitForSplit(
  bases: string[],
  check: (leases: string[][]) => boolean,
): Promise<string[][]> {
  let leases: string[][] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    leases = await Promise.all(bases.map(leasesOf));
    const all = leases.flat();
    if (all.length === NAMES.length && new Set(all).size === NAMES.length && check(leases))
      return leases;
    await Bun.sleep(100);
  }
  throw new Error(`the streams were not split as expected: ${JSON.stringify(leases)}`);
}

describe("a fleet of daemons sharing a config through Redis (compiled binary)", () => {
  const it = redisAvailable() ? test : test.skip;
  it("split the streams; kill -9 one: its streams move, nothing lost; a third takes its share; never two writers", async () => {
    if (!redis) throw new Error("redis-server did not start");
    fleet = await startFleet(
      `  DAEMON_INTERVAL_SECONDS: 1\n  LOCK_TTL_SECONDS: ${TTL_SECONDS}\n  BATCH_SIZE: ${BATCH}\n  SPLUNK_CONCURRENCY: 1\n  REDIS_URL: ${redis.url}\n`,
    );
    const f = fleet;
    const added: { a: AuditLogEntry[]; b: AuditLogEntry[] } = { a: [], b: [] };
    const a = await startDaemon(f, { SPLUNK_HOST: "daemon-a" });
    await waitForSplit([a.base], ([held]) => held?.length === 3);

    // New events all along, so every stream keeps delivering while leases move.
    let seed = 1000;
    const feeder = setInterval(() => {
      const now = Date.now();
      const range = { startMs: now - 45_000, endMs: now - 30_000 };
      const forA = generateAuditEntries(6, { ...range, seed: seed++ });
      const forB = generateAuditEntries(4, { ...range, seed: seed++ });
      f.orgA.addEntries(forA);
      f.orgB.addEntries(forB);
      added.a.push(...forA);
      added.b.push(...forB);
    }, 200);
    try {
      const b = await startDaemon(f, { SPLUNK_HOST: "daemon-b" });
      // Two daemons, three streams: a share of two each; the first hands one back.
      const split = await waitForSplit(
        [a.base, b.base],
        ([onA, onB]) => onA?.length === 2 && onB?.length === 1,
      );
      const fromA = split[0] as string[];
      await Bun.sleep(1500);
      a.daemon.kill("SIGKILL");
      await a.daemon.exited;
      await waitForSplit([b.base], ([onB]) => onB?.length === 3);

      const c = await startDaemon(f, { SPLUNK_HOST: "daemon-c" });
      await waitForSplit([b.base, c.base], ([onB, onC]) => onB?.length === 2 && onC?.length === 1);
      await Bun.sleep(1500);
      clearInterval(feeder);

      // Nothing lost: every stream's events reach its index.
      const entriesA = [...f.entriesA, ...added.a];
      const entriesB = [...f.entriesB, ...added.b];
      const deletes = entriesA.filter((entry) => entry.action === "Delete");
      const wantA = new Set(idsOf(entriesA));
      const wantB = new Set([...idsOf(entriesB), ...idsOf(deletes)]);
      await waitFor(
        () =>
          new Set(f.idsIn("audit_a")).size === wantA.size &&
          new Set(f.idsIn("audit_b")).size === wantB.size,
        30_000,
      );
      expect(new Set(f.idsIn("audit_a"))).toEqual(wantA);
      expect(new Set(f.idsIn("audit_b"))).toEqual(wantB);
      for (const d of [b, c]) d.daemon.kill("SIGTERM");
      expect(await b.daemon.exited).toBe(0);
      expect(await c.daemon.exited).toBe(0);

      // At most what the killed daemon had in flight, per stream it held: the README's crash
      // bound, 3 x SPLUNK_CONCURRENCY (1) requests of at most BATCH_SIZE events.
      const repeated = repeats(f.idsIn("audit_a")) + repeats(f.idsIn("audit_b"));
      expect(repeated).toBeLessThanOrEqual(fromA.length * 3 * BATCH);

      // Never two writers: per stream, the writers (SPLUNK_HOST) follow one another, none comes back.
      const idsOfB = new Set(idsOf(entriesB));
      const writers = new Map<string, string[]>(NAMES.map((n) => [n, []]));
      for (const envelope of f.hec.accepted) {
        const id = (envelope.fields as Record<string, string>).crusoe_event_id as string;
        const stream =
          envelope.index === "audit_a" ? "org-a" : idsOfB.has(id) ? "org-b" : "org-a.deletes";
        const seq = writers.get(stream) as string[];
        if (seq.at(-1) !== envelope.host) seq.push(envelope.host as string);
      }
      for (const [stream, seq] of writers) {
        expect({ stream, writers: seq.length }).toEqual({ stream, writers: new Set(seq).size });
      }
      // Each joining daemon made exactly one stream move: the excess is handed back once, and
      // a daemon at its share takes nothing back.
      const handbacks = (text: string) => text.match(/handed back/g)?.length ?? 0;
      expect([
        handbacks(a.stderr.text()),
        handbacks(b.stderr.text()),
        handbacks(c.stderr.text()),
      ]).toEqual([1, 1, 0]);
      // The killed daemon's streams moved, and the third daemon wrote some.
      expect([...writers.values()].flat()).toContain("daemon-c");
    } finally {
      clearInterval(feeder);
    }
  });
});
