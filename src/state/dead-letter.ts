// Poison events go to an NDJSON file an operator can inspect and replay. Appended, never
// rewritten: earlier records stay even if a later append is cut short.
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
