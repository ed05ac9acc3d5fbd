// Section 4: dedup state cost per run with 10k and 100k tracked ids, on fs and on Redis.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedis } from "../../test/helpers/redis.ts";
import { count, mb, ms, note, printSection, printTable, runPart } from "./lib.ts";

interface StateResult {
  loaded: number;
  openMs: number;
  loadMs: number;
  checkMs: number;
  commitMs: number;
  commit2Ms: number;
  closeMs: number;
}

export async function benchState(): Promise<void> {
  printSection("4. State (dedup ids; per run: open+load+lookups+commit+close; target well < 1 s)");
  const redis = await startRedis().catch((error: Error) => {
    note(`redis-server did not start (${error.message}): Redis rows skipped`);
    return undefined;
  });
  if (!redis) note("redis-server not found: Redis rows skipped");
  const dir = mkdtempSync(join(tmpdir(), "csh-bench-state-"));
  const rows: string[][] = [];
  try {
    const stores = redis ? (["fs", "redis"] as const) : (["fs"] as const);
    for (const store of stores) {
      for (const layout of ["spread", "hour"] as const) {
        for (const ids of [10_000, 100_000]) {
          const arg = { store, redisUrl: redis?.url, dir, ids, layout, runs: 5 };
          const seed = await runPart<{ seedMs: number }>(
            "state",
            { ...arg, phase: "seed" },
            300_000,
          );
          const run = await runPart<StateResult>("state", { ...arg, phase: "measure" }, 300_000);
          const d = run.data;
          const perRun = d.openMs + d.loadMs + d.checkMs + d.commitMs + d.closeMs;
          rows.push([
            store,
            layout === "spread" ? "20 h" : "1 h",
            count(d.loaded),
            ms(d.openMs),
            ms(d.loadMs),
            ms(d.checkMs),
            ms(d.commitMs),
            ms(d.commit2Ms),
            ms(d.closeMs),
            ms(perRun),
            mb(run.maxRssBytes),
            ms(seed.data.seedMs),
          ]);
        }
      }
    }
  } finally {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    [
      "store",
      "ids over",
      "ids",
      "open",
      "load",
      "1st lookups",
      "commit 100",
      "2nd commit",
      "close",
      "per run",
      "peak RSS",
      "seed",
    ],
    rows,
  );
  note(
    "medians of 5 runs, each opening the store afresh; 1st lookups = one has() per tracked hour",
  );
  note("(loads what load() deferred); one commit per HEC batch of 100 events;");
  note(
    "peak RSS of the measuring process; seed = one commit recording all the ids (another process);",
  );
  note("'1 h' = all ids in one hourly bucket, as after a backfill of 100k events within an hour");
}
