// The config file (--config / CONFIG_FILE): `defaults` and `streams`, keyed by the settings' own
// variable names. Read and checked here; the values then go through the usual gather/resolve.
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { UsageError } from "../errors.ts";
import { SETTINGS } from "./settings.ts";

export interface StreamEntry {
  name: string;
  vars: Record<string, string>;
}

export interface ConfigFile {
  path: string;
  defaults: Record<string, string>;
  streams: StreamEntry[];
  /** Inline secrets in a file others can read (each one line). */
  warnings: string[];
}

/** A stream name is a directory name and a Redis key segment. */
const NAME = /^[a-z0-9][a-z0-9._-]*$/;
/** The hash ids of streams configured without a file: a name must never collide with one. */
const HASH_ID = /^[0-9a-f]{12}$/;

/** Settings of the whole process, not of one stream: under `defaults` only. */
const PROCESS_WIDE = new Set([
  "METRICS_LISTEN",
  "LOG_LEVEL",
  "LOG_FORMAT",
  "DAEMON_INTERVAL_SECONDS",
]);
/** Where the streams' state lives: one place for every stream (leases, `status --all`). */
const SHARED = new Set(["STATE_DIR", "REDIS_URL", "REDIS_URL_FILE", "LOCK_TTL_SECONDS"]);

const KNOWN = new Set<string>();
const SECRET = new Set<string>();
for (const setting of SETTINGS) {
  if (!setting.env || setting.env === "CONFIG_FILE") continue;
  KNOWN.add(setting.env);
  if (setting.secret) {
    KNOWN.add(`${setting.env}_FILE`);
    SECRET.add(setting.env);
  }
}

/** `via`: how the file was named (--config or CONFIG_FILE), for the messages. */
export async function readConfigFile(path: string, via = "--config"): Promise<ConfigFile> {
  const data = await parseFile(path, via);
  const where = (what: string) => `${path}: ${what}`;
  if (!isMap(data)) throw new UsageError(where("expected `defaults:` and `streams:` at the top"));
  for (const key of Object.keys(data)) {
    if (key !== "defaults" && key !== "streams")
      throw new UsageError(where(`unknown key "${key}" (expected defaults and streams)`));
  }
  const defaults = data.defaults === undefined ? {} : toVars(data.defaults, where("defaults"));
  if (!Array.isArray(data.streams) || data.streams.length === 0)
    throw new UsageError(where("`streams:` must list at least one stream"));
  const streams: StreamEntry[] = [];
  data.streams.forEach((entry, i) => {
    if (!isMap(entry)) throw new UsageError(where(`streams[${i}] is not a map of settings`));
    const { name, ...rest } = entry;
    const label = typeof name === "string" ? `stream "${name}"` : `streams[${i}]`;
    if (typeof name !== "string" || !NAME.test(name))
      throw new UsageError(
        where(`${label}: name is required: lower-case letters, digits, ".", "_", "-"`),
      );
    if (HASH_ID.test(name))
      throw new UsageError(where(`${label}: name looks like a stream hash id; choose another`));
    if (streams.some((s) => s.name === name))
      throw new UsageError(where(`${label}: the name is used twice`));
    const vars = toVars(rest, where(label));
    for (const key of Object.keys(vars)) {
      if (PROCESS_WIDE.has(key) || SHARED.has(key))
        throw new UsageError(
          where(`${label}: ${key} applies to every stream: put it under defaults`),
        );
    }
    streams.push({ name, vars });
  });
  return { path, defaults, streams, warnings: inlineSecretWarnings(path, defaults, streams) };
}

async function parseFile(path: string, via: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError(`${via} ${path}: cannot read it (${code})`);
  }
  const ext = extname(path).toLowerCase();
  // Loaded only with a config file (the parsers cost ~50 ms at start-up); fixed strings, so
  // `bun build --compile` bundles them.
  const parse =
    ext === ".yaml" || ext === ".yml"
      ? (await import("confbox/yaml")).parseYAML
      : ext === ".toml"
        ? (await import("confbox/toml")).parseTOML
        : ext === ".json"
          ? (await import("confbox/json")).parseJSON
          : undefined;
  if (!parse)
    throw new UsageError(
      `${via} ${path}: unknown format "${ext}" (use .yaml, .yml, .toml or .json)`,
    );
  try {
    return parse(text);
  } catch (error) {
    const first = String((error as Error).message).split("\n")[0];
    throw new UsageError(`${via} ${path}: not valid ${ext.slice(1).toUpperCase()}: ${first}`);
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Scalars as the environment would hold them; a list (e.g. of actions) is comma-joined. */
function toVars(map: unknown, where: string): Record<string, string> {
  if (!isMap(map)) throw new UsageError(`${where}: expected a map of settings`);
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (!KNOWN.has(key)) throw new UsageError(`${where}: unknown key ${key}`);
    const text = Array.isArray(value) && value.every(isScalar) ? value.join(",") : value;
    if (!isScalar(text))
      throw new UsageError(`${where}: ${key} must be a string, number, boolean or list of them`);
    vars[key] = String(text);
  }
  return vars;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function inlineSecretWarnings(
  path: string,
  defaults: Record<string, string>,
  streams: StreamEntry[],
): string[] {
  const inline = new Set<string>();
  for (const vars of [defaults, ...streams.map((s) => s.vars)])
    for (const key of Object.keys(vars)) if (SECRET.has(key)) inline.add(key);
  if (inline.size === 0) return [];
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  const keys = [...inline].sort();
  return [
    `${path} holds ${keys.join(", ")} inline and is readable by others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 it, or use ${keys[0]}_FILE`,
  ];
}
