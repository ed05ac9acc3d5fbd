// unstorage driver for the state directory. unstorage's own fs driver overwrites files in place
// (docs/toolchain.md), so a crash could leave a torn document; this one writes atomically.
import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { defineDriver } from "unstorage";
import { type BeforeRename, isTempName, writeFileAtomic } from "./atomic-file.ts";

export interface AtomicFsOptions {
  base: string;
  beforeRename?: BeforeRename;
}

/** Maps key `a:b:c` to `<base>/a/b/c`; refuses segments that would escape the directory. */
export function pathForKey(base: string, key: string): string {
  const segments = key.split(/[:/\\]/).filter(Boolean);
  if (segments.length === 0 || segments.some((s) => s === "." || s === "..")) {
    throw new Error(`invalid state key ${JSON.stringify(key)}`);
  }
  return join(base, ...segments);
}

export const atomicFsDriver = defineDriver((opts: AtomicFsOptions) => {
  const path = (key: string) => pathForKey(opts.base, key);
  const keysUnder = async (base?: string) => {
    const root = base ? path(base) : opts.base;
    const prefix = base ? `${base.replace(/:+$/, "")}:` : "";
    return (await listFiles(root)).map((rel) => prefix + rel.replaceAll("/", ":"));
  };
  return {
    name: "atomic-fs",
    options: opts,
    async hasItem(key: string) {
      return (await readOrNull(path(key))) !== null;
    },
    getItem(key: string) {
      return readOrNull(path(key));
    },
    async setItem(key: string, value: string) {
      await writeFileAtomic(path(key), value, opts.beforeRename);
    },
    async removeItem(key: string) {
      await unlink(path(key)).catch(ignoreMissing);
    },
    getKeys: (base?: string) => keysUnder(base),
    async clear(base?: string) {
      const keys = await keysUnder(base);
      await Promise.all(keys.map((key) => unlink(path(key)).catch(ignoreMissing)));
    },
  };
});

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return null;
    throw error;
  }
}

/** Relative paths of the files under `dir`, skipping temp files of unfinished writes. */
async function listFiles(dir: string, rel = ""): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch (error) {
    if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (isTempName(entry.name)) continue;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, child)));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== "ENOENT") throw error;
}
