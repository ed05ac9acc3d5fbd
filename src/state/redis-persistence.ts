// Redis keeps the checkpoint, the dedup ids and the lock. A Redis that does not persist loses
// them on restart, and the next run re-sends everything in the lookback window: say so.
import type Redis from "ioredis";
import type { RedisGuard } from "./lock-redis.ts";

export interface Persistence {
  /** true: RDB or AOF on; false: both off; undefined: the server would not say. */
  durable: boolean | undefined;
  detail: string;
}

export async function checkRedisPersistence(guard: RedisGuard): Promise<Persistence> {
  try {
    const save = await configValue(guard, "save");
    const aof = await configValue(guard, "appendonly");
    const on = [aof === "yes" ? "AOF" : "", save ? `RDB (save ${save})` : ""].filter(Boolean);
    return on.length > 0
      ? { durable: true, detail: `persistence ${on.join(" + ")}` }
      : { durable: false, detail: 'persistence OFF (save "", appendonly no)' };
  } catch {
    // CONFIG is often renamed or denied (managed Redis, ACLs); INFO still shows AOF.
  }
  try {
    const info = await guard((c: Redis) => c.info("persistence"));
    if (/^aof_enabled:1\r?$/m.test(info)) return { durable: true, detail: "persistence AOF" };
  } catch {}
  return {
    durable: undefined,
    detail: "persistence unknown (CONFIG GET refused; make sure RDB or AOF is on)",
  };
}

async function configValue(guard: RedisGuard, name: string): Promise<string> {
  const reply = (await guard((c: Redis) => c.config("GET", name))) as unknown as string[];
  if (!Array.isArray(reply) || reply.length < 2) throw new Error(`CONFIG GET ${name}: no value`);
  return String(reply[1]);
}

/** The warning a run logs when Redis reports both RDB and AOF off. */
export function persistenceWarning(endpoint: string): string {
  return `Redis at ${endpoint} has persistence off (no RDB save points, appendonly no): a Redis restart loses the checkpoint and dedup ids, and the next run re-sends everything in the lookback window. Turn on RDB or AOF.`;
}
