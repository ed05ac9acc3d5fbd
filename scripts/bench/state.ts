// Bench part: what a run pays for dedup state. Phase "seed" records N delivered ids (in its own
// process, so the measured RSS is a run's, not the seeding's). Phase "measure", `runs` times: open
// the store, load the set, look up one id per tracked hour, commit two batches of 100 new ids of the newest hour (as after two HEC
// batches of a live stream), close.
// layout "spread": ids over 20 hourly buckets (a steady stream); "hour": all in one bucket (a
// burst of N events within an hour, the case a 100k-event backfill creates).
// Arg: {phase, store, redisUrl?, dir, ids, layout, runs}. Prints {seedMs} or medians in ms.
import { createHash } from "node:crypto";
import { openStateStore } from "../../src/state/store.ts";
import { emit, HOUR_MS, median, readArg } from "./lib.ts";

const arg = readArg<{
  phase: "seed" | "measure";
  store: "fs" | "redis";
  redisUrl?: string;
  dir: string;
  ids: number;
  layout: "spread" | "hour";
  runs: number;
}>();
const RETENTION_MS = 24 * HOUR_MS;
const newestHour = Math.floor((Date.now() - HOUR_MS) / HOUR_MS) * HOUR_MS;
const config = {
  dir: arg.dir,
  redisUrl: arg.store === "redis" ? arg.redisUrl : undefined,
  deadLetterFile: `${arg.dir}/dead-letter.ndjson`,
  lockTtlMs: 60_000,
};
const stream = `bench-${arg.ids}-${arg.layout}`;
const idOf = (i: number) => createHash("sha256").update(`bench ${i}`).digest("hex");
const seedTime = (i: number) =>
  (arg.layout === "spread" ? newestHour - (i % 20) * HOUR_MS : newestHour) + (i % HOUR_MS);
const events = (from: number, n: number, timeOf: (i: number) => number) =>
  Array.from({ length: n }, (_, k) => ({ id: idOf(from + k), timeMs: timeOf(from + k) }));

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

if (arg.phase === "seed") {
  const store = await openStateStore(config, stream);
  await store.clear();
  const set = await store.dedup.load(Date.now(), RETENTION_MS);
  const [, seedMs] = await timed(() => store.dedup.commit(set, events(0, arg.ids, seedTime)));
  await store.close();
  emit({ seedMs });
} else {
  const phases = ["open", "load", "check", "commit", "commit2", "close"] as const;
  const samples = Object.fromEntries(phases.map((p) => [p, [] as number[]])) as Record<
    (typeof phases)[number],
    number[]
  >;
  let loaded: number | undefined;
  let next = arg.ids;
  const live = (i: number) => newestHour + (i % HOUR_MS);
  for (let run = 0; run < arg.runs; run++) {
    const [store, openMs] = await timed(() => openStateStore(config, stream));
    const [set, loadMs] = await timed(() => store.dedup.load(Date.now(), RETENTION_MS));
    loaded ??= set.size;
    // One lookup per tracked hour: whatever load() deferred, a run reading those hours pays here.
    const [, checkMs] = await timed(async () => {
      for (let i = 0; i < Math.min(20, arg.ids); i++) await set.has(idOf(i), seedTime(i));
    });
    const [, commitMs] = await timed(() => store.dedup.commit(set, events(next, 100, live)));
    const [, commit2Ms] = await timed(() => store.dedup.commit(set, events(next + 100, 100, live)));
    next += 200;
    const [, closeMs] = await timed(() => store.close());
    for (const [p, v] of [
      ["open", openMs],
      ["load", loadMs],
      ["check", checkMs],
      ["commit", commitMs],
      ["commit2", commit2Ms],
      ["close", closeMs],
    ] as const)
      samples[p].push(v);
  }
  emit({
    loaded,
    ...Object.fromEntries(phases.map((p) => [`${p}Ms`, median(samples[p])])),
  });
}
