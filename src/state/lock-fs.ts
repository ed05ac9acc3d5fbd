// Filesystem lock: a lock file that appears complete or not at all (written aside, then
// hard-linked into place, which fails if the file exists). Taking over a stale lock and renewing
// one happen under a short-lived `.takeover` mutex, so two processes that both saw the same stale
// lock cannot both win, and a renew never overwrites a lock someone else took over.
import { link, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { sleep } from "../wait.ts";
import { ensureDir, tempPathFor, writeDurably, writeFileAtomic } from "./atomic-file.ts";
import { fsFailure, StateError } from "./errors.ts";
import { codeOf } from "./fs-driver.ts";
import {
  describeLoss,
  extendLockRecord,
  holderOf,
  isExpired,
  isProcessAlive,
  type Lease,
  type LockManager,
  type LockRecord,
  newLockRecord,
  parseLockRecord,
} from "./lock.ts";

const MUTEX_WAIT_MS = 2_000;
/**
 * Lock and mutex files are not fsynced: they only exclude processes that are running, and a
 * power cut ends every holder; a lock file lost or torn by one reads as stale. (An fsync here
 * cost an idle cron run two disk flushes, tens of ms each on a busy disk.)
 */
const DURABLE = false;
/** A takeover takes milliseconds; a mutex this old belongs to a process that died mid-way. */
const MUTEX_STALE_MS = 10_000;

export function createFsLockManager(streamDir: string): LockManager {
  const lockPath = join(streamDir, "lock");
  const mutexPath = join(streamDir, "lock.takeover");

  const read = async (): Promise<LockRecord | undefined> =>
    parseLockRecord(
      await readFile(lockPath, "utf8").catch((error) => ignoreMissing(error, "read", lockPath)),
    );

  const isStale = (record: LockRecord) =>
    isExpired(record) || (record.host === hostname() && !isProcessAlive(record.pid));

  /** Creates the lock file only if none exists; the content is complete before it is visible. */
  const linkNew = async (record: LockRecord): Promise<boolean> => {
    const temp = tempPathFor(lockPath);
    await writeDurably(temp, JSON.stringify(record), lockPath, DURABLE);
    try {
      await link(temp, lockPath);
      return true;
    } catch (error) {
      if (codeOf(error) === "EEXIST") return false;
      throw fsFailure("create", lockPath, error);
    } finally {
      await unlink(temp).catch(() => {});
    }
  };

  const withMutex = async <T>(fn: () => Promise<T>): Promise<T | typeof BUSY> => {
    const deadline = Date.now() + MUTEX_WAIT_MS;
    const mine = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      at: new Date().toISOString(),
    });
    for (;;) {
      try {
        await writeDurably(mutexPath, mine, mutexPath, DURABLE);
        break;
      } catch (error) {
        if (codeOf(error) !== "EEXIST") throw error;
      }
      if (await isMutexStale(mutexPath)) await unlink(mutexPath).catch(() => {});
      else if (Date.now() > deadline) return BUSY;
      else await sleep(5 + Math.random() * 20);
    }
    try {
      return await fn();
    } finally {
      await unlink(mutexPath).catch(() => {});
    }
  };

  const makeLease = (initial: LockRecord, ttlMs: number): Lease => {
    let record = initial;
    let lostReason: string | undefined;
    return {
      get holder() {
        return holderOf(record);
      },
      get lostReason() {
        return lostReason;
      },
      async renew() {
        const result = await withMutex(async () => {
          const current = await read();
          if (current?.token !== record.token) {
            lostReason = describeLoss(
              current,
              `file ${lockPath}`,
              "was the state directory cleaned up?",
            );
            return false;
          }
          const next = extendLockRecord(record, ttlMs);
          await writeFileAtomic(lockPath, JSON.stringify(next));
          record = next;
          return true;
        });
        if (result !== BUSY) return result;
        // Could not renew now; still ours as long as the file says so and has not expired.
        const current = await read();
        return current?.token === record.token && !isExpired(current);
      },
      async release() {
        await withMutex(async () => {
          if ((await read())?.token === record.token) await unlink(lockPath).catch(() => {});
        });
      },
    };
  };

  return {
    async tryAcquire(ttlMs) {
      await ensureDir(streamDir);
      const mine = newLockRecord(ttlMs);
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await linkNew(mine)) return { lease: makeLease(mine, ttlMs) };
        const current = await read();
        if (current && !isStale(current)) return { heldBy: holderOf(current) };
        // Stale, unreadable, or just released: take over under the mutex, re-checking there.
        const outcome = await withMutex(async () => {
          const again = await read();
          if (again && !isStale(again)) return { heldBy: holderOf(again) };
          await unlink(lockPath).catch((error) => ignoreMissing(error, "remove", lockPath));
          return (await linkNew(mine)) ? { lease: makeLease(mine, ttlMs) } : undefined;
        });
        if (outcome !== BUSY && outcome !== undefined) return outcome;
        await sleep(10 + Math.random() * 20);
      }
      const holder = await read();
      if (holder) return { heldBy: holderOf(holder) };
      throw new StateError(`cannot take the lock ${lockPath}: it keeps changing hands`);
    },
    async holder() {
      const current = await read();
      return current && !isStale(current) ? holderOf(current) : undefined;
    },
  };
}

const BUSY = Symbol("mutex busy");

async function isMutexStale(path: string): Promise<boolean> {
  const owner = parseOwner(await readFile(path, "utf8").catch(() => undefined));
  if (owner?.host === hostname() && !isProcessAlive(owner.pid)) return true;
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > MUTEX_STALE_MS;
}

function parseOwner(text: string | undefined): { pid: number; host: string } | undefined {
  try {
    const value = JSON.parse(text ?? "");
    return typeof value?.pid === "number" && typeof value.host === "string" ? value : undefined;
  } catch {
    return undefined; // still being written
  }
}

function ignoreMissing(error: unknown, action: string, path: string): undefined {
  if (codeOf(error) === "ENOENT") return undefined;
  throw fsFailure(action, path, error);
}
