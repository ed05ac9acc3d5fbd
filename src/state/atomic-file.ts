// Crash-safe file writes: a reader sees the old document or the new one, never a torn mix.
// Temp file in the same directory (same filesystem, so rename is atomic), fsync, rename, fsync
// of the directory so the rename itself survives a power cut. Files 0600, directories 0700.
import { constants } from "node:fs";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomHex } from "../random-hex.ts";
import { fsFailure } from "./errors.ts";

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Test seam: runs after the temp file is durable and before the rename (a crash lands here). */
export type BeforeRename = (tempPath: string, finalPath: string) => void | Promise<void>;

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((error) => {
    throw fsFailure("create the directory", dir, error);
  });
}

/** Temp files start with a dot and carry `.tmp-`, so key listings can skip them. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomHex(4)}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.includes(".tmp-");
}

export async function writeFileAtomic(
  path: string,
  data: string,
  beforeRename?: BeforeRename,
): Promise<void> {
  const dir = dirname(path);
  const temp = tempPathFor(path);
  // The directory is made only when missing: a mkdir before every write cost a dedup commit one
  // more trip through the thread pool, and it is missing once per stream.
  await writeDurably(temp, data, path).catch(async (error) => {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
    await ensureDir(dir);
    await writeDurably(temp, data, path);
  });
  try {
    await beforeRename?.(temp, path);
    // rename replaces the directory entry itself: a symlink planted at `path` is replaced, never
    // followed, and a reader holding the old file keeps seeing the old document.
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw fsFailure("write", path, error);
  }
  await syncDir(dir);
}

/** O_CREAT|O_EXCL never follows a symlink (not even a dangling one); O_NOFOLLOW says so twice. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Create a new file (failing with EEXIST if anything is there), write and (if `durable`) fsync
 * it. A failed write (disk full) removes the file again: no 0-byte temp or lock file is left
 * behind. Errors name `shownAs`, the file the operator knows (the document, not its temp file).
 */
export async function writeDurably(
  path: string,
  data: string,
  shownAs = path,
  durable = true,
): Promise<void> {
  const handle = await open(path, CREATE_NEW, FILE_MODE).catch((error) => {
    throw fsFailure("write", shownAs, error);
  });
  try {
    await handle.writeFile(data, "utf8");
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw fsFailure("write", shownAs, error);
  }
  await handle.close();
}

export async function syncDir(dir: string): Promise<void> {
  // Some filesystems refuse fsync on a directory (EINVAL/EISDIR); the rename is still atomic there.
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}
