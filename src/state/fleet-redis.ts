// Daemons sharing a config file through Redis: each announces itself with a heartbeat key that
// lapses after LOCK_TTL_SECONDS, and counts the live ones to know its fair share of the streams.
// The streams' leases (lock-redis.ts) still decide who writes: the share only says how many
// leases an instance should try to hold.
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type Redis from "ioredis";
import { logger } from "../log.ts";
import { REDIS_PREFIX } from "./backend-redis.ts";
import { redisEndpoint, scrubSecret } from "./redis-url.ts";

export interface Fleet {
  /** Live daemons of this config (this one included), as last counted. */
  live(): number;
  /** ceil(streams ÷ live daemons). */
  share(): number;
  leave(): Promise<void>;
}

export async function joinFleet(url: string, ttlMs: number, streams: string[]): Promise<Fleet> {
  // Fixed-string specifier: bundled by `bun build --compile`, loaded only with REDIS_URL.
  const { default: RedisClient } = await import("ioredis");
  const client: Redis = new RedisClient(url, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  client.on("error", () => {}); // reported by the beat that fails, not as "Unhandled error event"
  // `_` cannot start a stream name, so these keys never mix with a stream's.
  const group = createHash("sha256")
    .update([...streams].sort().join("\n"))
    .digest("hex")
    .slice(0, 12);
  const prefix = `${REDIS_PREFIX}:_fleet:${group}:`;
  const me = `${prefix}${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let live = 1;
  let warned = false;
  let beating = false;
  const beat = async () => {
    if (beating) return; // a slow Redis: never two beats at once
    beating = true;
    try {
      await client.set(me, new Date().toISOString(), "PX", ttlMs);
      let cursor = "0";
      let count = 0;
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 100);
        cursor = next;
        count += keys.length;
      } while (cursor !== "0");
      if (count !== live)
        logger.info(`fleet: ${count} daemon(s) share ${streams.length} stream(s)`);
      live = Math.max(1, count);
      warned = false;
    } catch (error) {
      // The leases fail the same way; keep the last count until Redis answers again.
      if (!warned)
        logger.warn(
          `fleet heartbeat to Redis at ${redisEndpoint(url)} failed: ${scrubSecret((error as Error).message, url)}`,
        );
      warned = true;
    } finally {
      beating = false;
    }
  };
  await client.connect().catch(() => {});
  await beat();
  const timer = setInterval(beat, Math.max(100, Math.floor(ttlMs / 3)));
  return {
    live: () => live,
    share: () => Math.ceil(streams.length / live),
    async leave() {
      clearInterval(timer);
      // Gone at once: the others take over its streams without waiting for the key to lapse.
      await client.del(me).catch(() => {});
      client.disconnect();
    },
  };
}
