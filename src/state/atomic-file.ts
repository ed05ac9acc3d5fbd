// Crash-safe file writes: a reader sees the old document or the new one, never a torn mix.
// Temp file in the same directory (same filesystem, so rename is atomic), fsync, rename, fsync
// of the directory so the rename itself survives a power cut. Files 0600, directories 0700.
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Test seam: runs after the temp file is durable and before the rename (a crash lands here). */
export type BeforeRename = (tempPath: string, finalPath: string) => void | Promise<void>;

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

/** Temp files start with a dot and carry `.tmp-`, so key listings can skip them. */
export function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
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
  await ensureDir(dir);
  const temp = tempPathFor(path);
  await writeDurably(temp, data, "wx");
  try {
    await beforeRename?.(temp, path);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
}

/** Write and fsync a new file; `wx` fails if it exists (used for temp files and lock files). */
export async function writeDurably(path: string, data: string, flags: "wx" | "w"): Promise<void> {
  const handle = await open(path, flags, FILE_MODE);
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
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
