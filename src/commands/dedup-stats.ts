import { EXIT, LockHeldError, UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import { describeHolder, openStore } from "../pipeline/session.ts";
import { formatIso } from "../time.ts";
import { jsonArg, streamArgs } from "./_args.ts";
import { defineVerb, loadFromArgs, NEEDS_STREAM } from "./_verb.ts";

export default defineVerb({
  name: "dedup-stats",
  description: "Dedup and checkpoint statistics; --clear resets the stream's state",
  args: {
    ...streamArgs,
    ...jsonArg,
    clear: {
      type: "boolean",
      description: "reset the stream's state (corrupt files are moved aside, not deleted)",
    },
    yes: { type: "boolean", description: "confirm --clear (required: it never asks)" },
  },
  async run(args) {
    // Always, TTY or not: cron, ssh and Ansible have no terminal and nobody to ask.
    if (args.clear && !args.yes) {
      throw new UsageError(
        "--clear resets this stream's checkpoint and delivered ids: refusing without --yes",
        "the next forward re-reads --lookback and may re-send events; confirm with: dedup-stats --clear --yes",
      );
    }
    const { config } = loadFromArgs(args, NEEDS_STREAM);
    const store = await openStore(config);
    try {
      if (args.clear) {
        // Never reset state under a running forwarder.
        const acquired = await store.locks.tryAcquire(config.state.lockTtlMs);
        if ("heldBy" in acquired) {
          throw new LockHeldError(
            `cannot clear while a run holds the lock: ${describeHolder(acquired.heldBy)}`,
          );
        }
        const { movedAside } = await store.clear().finally(() => acquired.lease.release());
        for (const file of movedAside) logger.info(`moved aside: ${file}`);
        logger.info(`cleared state of stream ${store.stream} (${store.location})`);
        return EXIT.ok;
      }
      const stats = await store.dedup.stats();
      const checkpoint = formatIso(await store.checkpoints.get()) ?? null;
      const body = {
        stream: store.stream,
        store: `${store.kind}: ${store.location}`,
        trackedIds: stats.trackedIds,
        buckets: stats.buckets,
        oldestEvent: formatIso(stats.oldestMs) ?? null,
        newestEvent: formatIso(stats.newestMs) ?? null,
        retentionSeconds: config.window.dedupRetentionSeconds,
        checkpoint,
      };
      if (args.json) process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      else
        for (const [key, value] of Object.entries(body))
          process.stdout.write(`${key.padEnd(17)} ${value ?? "-"}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
});
