// Poison events go to an NDJSON file an operator can inspect and replay. Appended, never
// rewritten: earlier records stay even if a later append is cut short.
import { constants } from "node:fs";
import { access, lstat, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { DeadLetter } from "../sinks/types.ts";
import { ensureDir, syncDir } from "./atomic-file.ts";
import { openOwnFileForAppend } from "./file-safety.ts";

/** One line of the dead-letter file: when, which event, Splunk's reason, and the envelope sent. */
export function deadLetterRecord(dead: DeadLetter, at: string): Record<string, unknown> {
  return {
    dead_lettered_at: at,
    crusoe_event_id: dead.id,
    code: dead.code ?? null,
    reason: dead.reason,
    envelope: JSON.parse(dead.line),
  };
}

export const DEAD_LETTER_HINT =
  "set DEAD_LETTER_FILE (or --dead-letter-file) to a file in a writable directory; the default is <state-dir>/dead-letter.ndjson";

/**
 * Why the dead-letter file could not be written, checked before a run sends anything: found
 * mid-run, a poison event could not be set aside and its batch could not settle. Undefined when
 * the file (or the directory it will be created in) is writable.
 */
export async function findDeadLetterProblem(file: string): Promise<string | undefined> {
  const problem = (why: string) => `DEAD_LETTER_FILE: ${file} ${why}`;
  const code = (error: unknown) => (error as { code?: string }).code ?? String(error);
  try {
    const info = await lstat(file);
    if (info.isDirectory()) return problem("is a directory; it must name a file");
    if (info.isSymbolicLink()) return problem("is a symlink; files are never written through one");
    if (!info.isFile()) return problem("is not a regular file");
    await access(file, constants.W_OK);
    return undefined;
  } catch (error) {
    if (code(error) !== "ENOENT" && code(error) !== "ENOTDIR")
      return problem(`is not writable (${code(error)})`);
  }
  // Not there yet: it (and any missing directories) is created in the nearest existing one.
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) return problem(`cannot be created: ${dir} is not a directory`);
      await access(dir, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      const why = code(error);
      if ((why !== "ENOENT" && why !== "ENOTDIR") || dirname(dir) === dir)
        return problem(`cannot be created in ${dir} (${why})`);
    }
  }
}

export async function appendDeadLetters(
  file: string,
  records: Record<string, unknown>[],
): Promise<void> {
  if (records.length === 0) return;
  await ensureDir(dirname(file));
  const text = records.map((record) => `${JSON.stringify(record)}\n`).join("");
  // Never through a symlink, and only into this user's own plain file.
  const handle = await openOwnFileForAppend(file);
  try {
    // A crash can leave a torn last line; starting on a fresh line keeps the next record intact.
    const { size } = await handle.stat();
    const prefix = size > 0 && !(await endsWithNewline(handle, size)) ? "\n" : "";
    await handle.appendFile(prefix + text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dirname(file));
}

async function endsWithNewline(
  handle: import("node:fs/promises").FileHandle,
  size: number,
): Promise<boolean> {
  const byte = new Uint8Array(1);
  await handle.read(byte, 0, 1, size - 1);
  return byte[0] === 0x0a;
}
