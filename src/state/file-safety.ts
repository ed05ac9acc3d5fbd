// Files the tool writes must not be redirected by someone else: a state directory others can
// write lets them plant a symlink (and, run as root, have event JSON appended to any file), so it
// is refused as ssh refuses a loose ~/.ssh; files are opened without following symlinks.
import { constants } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { FILE_MODE } from "./atomic-file.ts";
import { fsFailure, StateError } from "./errors.ts";

/** Refuses (exit 2) a state directory, or a stream directory in it, that group or others can write. */
export async function checkStateDirPermissions(dir: string, stream: string): Promise<void> {
  for (const path of [dir, join(dir, stream)]) {
    const info = await stat(path).catch(() => undefined); // missing: created 0700 later
    if (!info?.isDirectory() || (info.mode & 0o022) === 0) continue;
    const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
    throw new UsageError(
      `state directory ${path} is writable by group or others (mode ${mode}): another user could plant files or symlinks in it`,
      `run \`chmod 700 ${path}\` (or choose another STATE_DIR / --state-dir)`,
    );
  }
}

const APPEND_NOFOLLOW =
  constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Opens `path` for appending, never through a symlink, and only if it is this user's own file. */
export async function openOwnFileForAppend(path: string): Promise<FileHandle> {
  const handle = await open(path, APPEND_NOFOLLOW, FILE_MODE).catch((error) => {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      throw new StateError(
        `refusing to write ${path}: it is a symlink`,
        "remove the symlink; the tool writes only plain files it owns",
      );
    }
    throw fsFailure("write", path, error);
  });
  const info = await handle.stat();
  const uid = process.getuid?.();
  const problem = !info.isFile()
    ? "it is not a regular file"
    : uid !== undefined && info.uid !== uid
      ? `it belongs to uid ${info.uid}, not to this user (uid ${uid})`
      : undefined;
  if (problem) {
    await handle.close();
    throw new StateError(
      `refusing to write ${path}: ${problem}`,
      "move it away; the tool writes only plain files it owns",
    );
  }
  return handle;
}
