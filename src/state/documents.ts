// JSON documents of one stream, on whichever store. Every read is validated here: unstorage's
// fs driver would hand back a truncated document as a plain string (docs/toolchain.md), and a
// silently emptied dedup set means a burst of re-sent events.
import { CorruptStateError } from "./errors.ts";

/** A stream's documents; keys are relative to the stream (`checkpoint.json`, `dedup:<hour>.json`). */
export interface DocStore {
  /** The fs path or Redis key of a document, for messages. */
  where(key: string): string;
  read(key: string): Promise<string | undefined>;
  write(key: string, text: string): Promise<void>;
  remove(key: string): Promise<void>;
  /** Keys under `base` (e.g. `dedup`), relative to the stream. */
  keys(base?: string): Promise<string[]>;
  /** Keep a bad document for inspection under `<name><suffix>`; returns its new location. */
  moveAside(key: string, suffix: string): Promise<string>;
}

export type Validate<T> = (value: unknown) => value is T;

/** Parse and validate a document; undefined when it does not exist. */
export async function readDoc<T>(
  docs: DocStore,
  key: string,
  validate: Validate<T>,
): Promise<T | undefined> {
  const text = await docs.read(key);
  if (text === undefined) return undefined;
  return parseDoc(text, docs.where(key), validate);
}

export function parseDoc<T>(text: string, location: string, validate: Validate<T>): T {
  if (text.trim() === "") throw new CorruptStateError(location, "empty document");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptStateError(location, "not valid JSON, probably truncated");
  }
  if (!validate(value)) throw new CorruptStateError(location, "unexpected content");
  return value;
}

export function writeDoc(docs: DocStore, key: string, value: unknown): Promise<void> {
  return docs.write(key, JSON.stringify(value));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** `.corrupt-<timestamp>` with characters that are safe in file names and Redis keys. */
export function corruptSuffix(now = new Date()): string {
  return `.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
}
