import type { ResolvedConfig } from "../config/types.ts";
import { EXIT, LockHeldError, UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import { describeHolder, openStore } from "../pipeline/session.ts";
import { formatIso } from "../time.ts";
import { jsonArg, streamArgs } from "./_args.ts";
import { defineVerb, loadStreamsFromArgs, NEEDS_STREAM, onlyStream } from "./_verb.ts";

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
    const { file, streams } = await loadStreamsFromArgs(args, NEEDS_STREAM);
    if (args.clear && streams.length !== 1)
      throw new UsageError("--clear resets one stream: add --stream NAME");
    if (file === undefined || args.clear) {
      const { config } = onlyStream({ streams });
      return showOrClear(config, Boolean(args.clear), Boolean(args.json));
    }
    const bodies = [];
    for (const { loaded } of streams) bodies.push(await statsOf(loaded.config));
    if (args.json) process.stdout.write(`${JSON.stringify(bodies, null, 2)}\n`);
    else process.stdout.write(bodies.map(formatStats).join("\n"));
    return EXIT.ok;
  },
});

async function showOrClear(config: ResolvedConfig, clear: boolean, json: boolean): Promise<number> {
  const store = await openStore(config);
  try {
    if (clear) {
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
    await store.close();
    const body = await statsOf(config);
    if (json) process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else process.stdout.write(formatStats(body));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function statsOf(config: ResolvedConfig) {
  const store = await openStore(config);
  try {
    const stats = await store.dedup.stats();
    const checkpoint = formatIso(await store.checkpoints.get()) ?? null;
    return {
      stream: store.stream,
      store: `${store.kind}: ${store.location}`,
      trackedIds: stats.trackedIds,
      buckets: stats.buckets,
      oldestEvent: formatIso(stats.oldestMs) ?? null,
      newestEvent: formatIso(stats.newestMs) ?? null,
      retentionSeconds: config.window.dedupRetentionSeconds,
      checkpoint,
    };
  } finally {
    await store.close();
  }
}

function formatStats(body: Record<string, unknown>): string {
  return Object.entries(body)
    .map(([key, value]) => `${key.padEnd(17)} ${value ?? "-"}\n`)
    .join("");
}
