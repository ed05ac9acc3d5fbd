// Second process for the state suite: `bun worker.ts <mode> <config-json> <stream>`.
//   try          one tryAcquire, prints {"lease":…} or {"heldBy":…}, releases, exits on its own
//                (an ioredis socket left open would keep it alive: the test would time out)
//   hold         acquires (ttl from argv[5]), prints "held", then waits to be killed
//   crash-commit commits ids from argv[5] and is SIGKILLed between temp-file fsync and rename
import type { StateConfig } from "../../src/config/types.ts";
import { openStateStore } from "../../src/state/store.ts";

const [mode, configJson, stream, extra] = process.argv.slice(2);
const config = JSON.parse(configJson ?? "{}") as StateConfig;

if (mode === "crash-commit") {
  const store = await openStateStore(config, stream ?? "", {
    beforeRename: () => {
      process.kill(process.pid, "SIGKILL");
    },
  });
  const { nowMs, ids } = JSON.parse(extra ?? "{}") as { nowMs: number; ids: string[] };
  const set = await store.dedup.load(nowMs, 86_400_000);
  await store.dedup.commit(
    set,
    ids.map((id) => ({ id, timeMs: nowMs })),
  );
  console.log("not killed");
} else {
  const store = await openStateStore(config, stream ?? "");
  const result = await store.locks.tryAcquire(Number(extra ?? 60_000));
  if (mode === "try") {
    console.log(JSON.stringify("lease" in result ? { lease: result.lease.holder } : result));
    if ("lease" in result) await result.lease.release();
    await store.close();
  } else if ("lease" in result) {
    console.log("held");
    setInterval(() => {}, 1_000); // hold until killed
  } else {
    console.log(JSON.stringify(result));
    await store.close();
  }
}
