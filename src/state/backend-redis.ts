// State in Redis through unstorage's redis driver (ioredis 5), loaded only when a Redis URL is
// configured: fs users never pay for ioredis. Keys: `crusoe-splunk-hec:<stream>:<doc>`.
import type Redis from "ioredis";
import { createStorage, prefixStorage } from "unstorage";
import type { Backend } from "./backend.ts";
import { asText } from "./backend-fs.ts";
import type { DocStore } from "./documents.ts";
import { StateError } from "./errors.ts";
import { createRedisLockManager } from "./lock-redis.ts";
import { checkRedisPersistence } from "./redis-persistence.ts";
import { redactRedisUrl, redisEndpoint, scrubSecret } from "./redis-url.ts";
import { STREAM_ID } from "./stream-id.ts";

export const REDIS_PREFIX = "crusoe-splunk-hec";
/** ioredis defaults retry for ~10 s against a closed port (docs/toolchain.md); fail in ~2 s. */
const CONNECT_TIMEOUT_MS = 2_000;
const OFFLINE_TIMEOUT_MS = 2_500;
const COMMAND_TIMEOUT_MS = 15_000;

/**
 * A hung Redis must fail a run well within its lease: the lease is renewed every third of its
 * ttl, so a renewal that waits at most another third still fails before the lease lapses.
 */
function commandTimeoutMs(lockTtlMs: number): number {
  return Math.max(100, Math.min(COMMAND_TIMEOUT_MS, Math.floor(lockTtlMs / 3)));
}

export async function openRedisBackend(
  url: string,
  stream: string,
  lockTtlMs: number,
): Promise<Backend> {
  // Fixed-string specifier: `bun build --compile` bundles it (docs/toolchain.md).
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  const driver = redisDriver({
    url,
    base: REDIS_PREFIX,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => (times > 3 ? null : times * 200),
  });
  const storage = createStorage({ driver });
  const client = driver.getInstance?.() as Redis;
  let lastError: Error | undefined;
  // Without a listener ioredis prints "Unhandled error event" for every failed reconnect.
  client.on("error", (error: Error) => {
    lastError = error;
  });

  const endpoint = redisEndpoint(url);
  const fail = (error: unknown): StateError => {
    if (error instanceof StateError) return error;
    const reason = scrubSecret((lastError ?? (error as Error)).message, url);
    const message =
      client.status === "ready"
        ? `Redis at ${endpoint} failed: ${scrubSecret((error as Error).message, url)}`
        : `cannot reach Redis at ${endpoint} (${reason})`;
    return new StateError(message, "check REDIS_URL / --redis-url and that Redis is running");
  };

  const guard = async <T>(op: (c: Redis) => Promise<T>): Promise<T> => {
    // After ioredis gave up reconnecting it refuses every command; a later run (the daemon's
    // next cycle) gets a fresh attempt instead of a dead client.
    if (client.status === "end") client.connect().catch(() => {});
    if (client.status === "ready") lastError = undefined;
    const bound = commandTimeoutMs(lockTtlMs);
    const limit = client.status === "ready" ? bound : Math.min(OFFLINE_TIMEOUT_MS, bound);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const why = `no answer within ${limit} ms (bounded by a third of LOCK_TTL_SECONDS)`;
      timer = setTimeout(() => reject(new Error(why)), limit);
    });
    try {
      return await Promise.race([op(client), timeout]);
    } catch (error) {
      throw fail(error);
    } finally {
      clearTimeout(timer);
    }
  };

  const ns = prefixStorage(storage, stream);
  const where = (key: string) => `${REDIS_PREFIX}:${stream}:${key}`;
  const docs: DocStore = {
    where,
    read: (key) => guard(async () => asText(await ns.getItemRaw(key))),
    write: (key, text) => guard(() => ns.setItemRaw(key, text)),
    remove: (key) => guard(() => ns.removeItem(key)),
    keys: (base) => guard(() => ns.getKeys(base)),
    moveAside: (key, suffix) =>
      guard(async (c) => {
        await c.rename(where(key), where(key) + suffix);
        return where(key) + suffix;
      }),
  };

  return {
    kind: "redis",
    location: redactRedisUrl(url),
    docs,
    locks: createRedisLockManager(where("lock"), guard),
    async ping() {
      await guard((c) => c.ping());
    },
    persistence: () => checkRedisPersistence(guard),
    streams: () => guard((c) => scanStreams(c)),
    async close() {
      await storage.dispose();
    },
  };
}

/** Streams that hold a checkpoint or a run status (dedup-only leftovers are not listed). */
async function scanStreams(client: Redis): Promise<string[]> {
  const found = new Set<string>();
  for (const doc of ["checkpoint.json", "status.json"]) {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(
        cursor,
        "MATCH",
        `${REDIS_PREFIX}:*:${doc}`,
        "COUNT",
        500,
      );
      cursor = next;
      for (const key of keys) {
        const stream = key.split(":")[1] ?? "";
        if (STREAM_ID.test(stream)) found.add(stream);
      }
    } while (cursor !== "0");
  }
  return [...found];
}
