// Poison events go to an NDJSON file an operator can inspect and replay. Appended, never
// rewritten: earlier records stay even if a later append is cut short.
import { constants } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ensureDir, FILE_MODE, syncDir } from "./atomic-file.ts";

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
    const info = await stat(file);
    if (info.isDirectory()) return problem("is a directory; it must name a file");
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
  const handle = await open(file, "a+", FILE_MODE);
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
