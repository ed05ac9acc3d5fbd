// Open what `replay-dead-letter` needs and replay under the stream's lock: a forward run must
// not append to the dead-letter file while it is being rewritten.
import type { ResolvedConfig } from "../config/types.ts";
import { LockHeldError } from "../errors.ts";
import { replayDeadLetters } from "./replay.ts";
import type { RunReport } from "./run.ts";
import { logRunEnd } from "./run-end.ts";
import { createSink, describeHolder, openStore } from "./session.ts";

export async function runReplay(config: ResolvedConfig): Promise<RunReport> {
  const store = await openStore(config);
  const sink = createSink(config);
  try {
    const acquired = await store.locks.tryAcquire(config.state.lockTtlMs);
    if ("heldBy" in acquired) {
      throw new LockHeldError(
        `another run holds the lock for this stream: ${describeHolder(acquired.heldBy)}`,
      );
    }
    try {
      const { window } = config;
      const nowMs = Date.now();
      const dedup = window.dedupEnabled
        ? {
            store: store.dedup,
            set: await store.dedup.load(nowMs, window.dedupRetentionSeconds * 1000),
          }
        : undefined;
      const startedMs = Date.now();
      const report = await replayDeadLetters({
        file: config.state.deadLetterFile,
        sink,
        meta: config.hec,
        dedup,
        now: Date.now,
      });
      logRunEnd("replay-dead-letter", report, Date.now() - startedMs, false);
      return report;
    } finally {
      await acquired.lease.release();
    }
  } finally {
    await sink.close();
    await store.close();
  }
}
