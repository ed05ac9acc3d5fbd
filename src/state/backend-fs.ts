// State in a directory: `<dir>/<stream>/` holds checkpoint.json, status.json, range/*.json,
// dedup/<hour>.json and the lock file.
import { rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { createStorage, prefixStorage } from "unstorage";
import { type BeforeRename, ensureDir, syncDir, writeFileAtomic } from "./atomic-file.ts";
import type { Backend } from "./backend.ts";
import type { DocStore } from "./documents.ts";
import { fsFailure } from "./errors.ts";
import { atomicFsDriver, pathForKey } from "./fs-driver.ts";
import { createFsLockManager } from "./lock-fs.ts";

export function openFsBackend(dir: string, stream: string, beforeRename?: BeforeRename): Backend {
  const streamDir = join(dir, stream);
  const storage = prefixStorage(
    createStorage({ driver: atomicFsDriver({ base: dir, beforeRename }) }),
    stream,
  );
  const where = (key: string) => pathForKey(streamDir, key);
  const guard = async <T>(action: string, path: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (error) {
      throw fsFailure(action, path, error);
    }
  };

  const docs: DocStore = {
    where,
    read: (key) => guard("read", where(key), async () => asText(await storage.getItemRaw(key))),
    write: (key, text) => guard("write", where(key), () => storage.setItemRaw(key, text)),
    remove: (key) => guard("remove", where(key), () => storage.removeItem(key)),
    keys: (base) => guard("list", base ? where(base) : streamDir, () => storage.getKeys(base)),
    moveAside: (key, suffix) =>
      guard("move aside", where(key), async () => {
        const path = where(key);
        await rename(path, path + suffix);
        await syncDir(streamDir);
        return path + suffix;
      }),
  };

  return {
    kind: "fs",
    location: dir,
    docs,
    locks: createFsLockManager(streamDir),
    async ping() {
      await guard("write to", streamDir, async () => {
        await ensureDir(streamDir);
        const probe = join(streamDir, `.ping.tmp-${process.pid}`);
        await writeFileAtomic(probe, "ok");
        await unlink(probe);
      });
    },
    persistence: async () => ({ durable: true, detail: "files" }),
    async close() {
      await storage.dispose();
    },
  };
}

/** Anything but a string (e.g. bytes decoded from a `base64:` prefix) is not a JSON document. */
export function asText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? value : "\u0000(binary)";
}
