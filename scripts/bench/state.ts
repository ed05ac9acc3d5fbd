// Bench part: what a run pays for dedup state. Seeds N delivered ids, then `runs` times: open the
// store, load the set, commit two batches of 100 new ids (as after two HEC batches), close.
// layout "spread": ids over 20 hourly buckets (a steady stream); "hour": all in one bucket (a
// burst of N events within an hour, the case a 100k-event backfill creates).
// Arg: {store, redisUrl?, dir, ids, layout, runs}. Prints medians in ms.
import { createHash } from "node:crypto";
import { openStateStore } from "../../src/state/store.ts";
import { emit, HOUR_MS, median, readArg } from "./lib.ts";

const arg = readArg<{
  store: "fs" | "redis";
  redisUrl?: string;
  dir: string;
  ids: number;
  layout: "spread" | "hour";
  runs: number;
}>();
const RETENTION_MS = 24 * HOUR_MS;
const now = Date.now();
const newestHour = Math.floor((now - HOUR_MS) / HOUR_MS) * HOUR_MS;
const config = {
  dir: arg.dir,
  redisUrl: arg.store === "redis" ? arg.redisUrl : undefined,
  deadLetterFile: `${arg.dir}/dead-letter.ndjson`,
};
const stream = `bench-${arg.ids}-${arg.layout}`;
const idOf = (i: number) => createHash("sha256").update(`bench ${i}`).digest("hex");
const timeOf = (i: number) =>
  (arg.layout === "spread" ? newestHour - (i % 20) * HOUR_MS : newestHour) + (i % HOUR_MS);
const events = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ id: idOf(from + k), timeMs: timeOf(from + k) }));

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

const seeding = await openStateStore(config, stream);
await seeding.clear();
const seedSet = await seeding.dedup.load(now, RETENTION_MS);
const [, seedMs] = await timed(() => seeding.dedup.commit(seedSet, events(0, arg.ids)));
await seeding.close();

const samples = { open: [] as number[], load: [] as number[], commit: [] as number[] };
Object.assign(samples, { commit2: [] as number[], close: [] as number[] });
const s = samples as Record<"open" | "load" | "commit" | "commit2" | "close", number[]>;
let loaded = 0;
let next = arg.ids;
for (let run = 0; run < arg.runs; run++) {
  const [store, openMs] = await timed(() => openStateStore(config, stream));
  const [set, loadMs] = await timed(() => store.dedup.load(Date.now(), RETENTION_MS));
  loaded = set.size;
  const [, commitMs] = await timed(() => store.dedup.commit(set, events(next, 100)));
  const [, commit2Ms] = await timed(() => store.dedup.commit(set, events(next + 100, 100)));
  next += 200;
  const [, closeMs] = await timed(() => store.close());
  s.open.push(openMs);
  s.load.push(loadMs);
  s.commit.push(commitMs);
  s.commit2.push(commit2Ms);
  s.close.push(closeMs);
}
const cleanup = await openStateStore(config, stream);
await cleanup.clear();
await cleanup.close();
emit({
  seedMs,
  loaded,
  openMs: median(s.open),
  loadMs: median(s.load),
  commitMs: median(s.commit),
  commit2Ms: median(s.commit2),
  closeMs: median(s.close),
});
