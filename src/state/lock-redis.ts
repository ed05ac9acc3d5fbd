// Redis lock: `SET key record NX PX ttl`; renew and release compare the stored record with ours
// in one Lua script, so a lease that expired and was taken over is never extended or deleted.
import type Redis from "ioredis";
import {
  describeLoss,
  extendLockRecord,
  holderOf,
  type Lease,
  type LockManager,
  type LockRecord,
  newLockRecord,
  parseLockRecord,
} from "./lock.ts";

// Returns 1 when renewed, else what the key holds now (0 when it is gone), so a lost lease can
// be told apart from a Redis that lost its data.
const RENEW = `local current = redis.call("GET", KEYS[1])
if current == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  return 1
end
if not current then return 0 end
return current`;

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/** `guard` maps connection failures to one clear StateError (see backend-redis.ts). */
export type RedisGuard = <T>(op: (client: Redis) => Promise<T>) => Promise<T>;

export function createRedisLockManager(key: string, guard: RedisGuard): LockManager {
  const makeLease = (initial: LockRecord, ttlMs: number): Lease => {
    let record = initial;
    let stored = JSON.stringify(initial);
    let lostReason: string | undefined;
    return {
      get holder() {
        return holderOf(record);
      },
      get lostReason() {
        return lostReason;
      },
      async renew() {
        const next = extendLockRecord(record, ttlMs);
        const text = JSON.stringify(next);
        const ok = await guard((c) => c.eval(RENEW, 1, key, stored, text, String(ttlMs)));
        if (ok !== 1) {
          const current = typeof ok === "string" ? parseLockRecord(ok) : undefined;
          lostReason = describeLoss(
            current,
            `key ${key}`,
            "its lease cannot have lapsed while renewed, so Redis lost it: was Redis restarted without persistence (or the key evicted or deleted)?",
          );
          return false;
        }
        record = next;
        stored = text;
        return true;
      },
      async release() {
        await guard((c) => c.eval(RELEASE, 1, key, stored));
      },
    };
  };

  return {
    async tryAcquire(ttlMs) {
      const mine = newLockRecord(ttlMs);
      for (let attempt = 0; attempt < 3; attempt++) {
        const set = await guard((c) => c.set(key, JSON.stringify(mine), "PX", ttlMs, "NX"));
        if (set === "OK") return { lease: makeLease(mine, ttlMs) };
        const current = parseLockRecord(await guard((c) => c.get(key)));
        if (current) return { heldBy: holderOf(current) };
        // Expired between SET and GET (or unreadable): try again.
      }
      const current = parseLockRecord(await guard((c) => c.get(key)));
      return current
        ? { heldBy: holderOf(current) }
        : { heldBy: { pid: 0, host: "unknown", since: "", expiresAt: "" } };
    },
    async holder() {
      const current = parseLockRecord(await guard((c) => c.get(key)));
      return current && holderOf(current);
    },
  };
}
