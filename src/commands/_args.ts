// Flag definitions shared by the verbs, generated from the settings table so a flag,
// its variable and its default can never disagree.
import type { ArgsDef } from "citty";
import { SETTING_BY_KEY } from "../config/settings.ts";
import { AUDIT_FILTER_NAMES } from "../config/types.ts";
import { configFileArg, enableDedupArg } from "./_compat.ts";

export function settingArgs(keys: string[]): ArgsDef {
  const args: ArgsDef = {};
  for (const key of keys) {
    const setting = SETTING_BY_KEY.get(key);
    if (!setting?.flag) throw new Error(`setting ${key} has no flag`);
    const env = setting.env ? ` [${setting.env}]` : "";
    const def = setting.default !== undefined ? ` (default ${setting.default})` : "";
    args[setting.flag] =
      setting.kind === "bool"
        ? { type: "boolean", description: `${setting.help}${env}` }
        : { type: "string", description: `${setting.help}${env}${def}` };
  }
  return args;
}

export const logArgs = {
  ...settingArgs(["logLevel", "logFormat"]),
  verbose: { type: "boolean", description: "debug logs and stack traces" },
  quiet: { type: "boolean", description: "warnings and errors only" },
  "env-file": {
    type: "string",
    description: "read variables from this file (default ./.env if present)",
  },
  ...configFileArg,
} satisfies ArgsDef;

/** Identify the stream and its state: enough for status and dedup-stats. */
export const streamArgs = {
  ...logArgs,
  ...settingArgs(["configFile"]),
  stream: {
    type: "string",
    description: "with --config: only these streams",
  },
  ...settingArgs(["orgId", "sink", "hecUrl", "index", "stateDir", "redisUrl"]),
  ...settingArgs(AUDIT_FILTER_NAMES.map((name) => `filter.${name}`)),
} satisfies ArgsDef;

/** Everything a forwarding run reads (each command adds what applies only to it, below). */
export const forwardArgs = {
  ...streamArgs,
  ...settingArgs([
    "baseUrl",
    "pageSize",
    "sourcetype",
    "source",
    "host",
    "batchSize",
    "deadLetterFile",
  ]),
  ...settingArgs(["lag", "chunk", "concurrency", "dedupRetention", "dedupBuffer", "disableDedup"]),
  ...enableDedupArg,
} satisfies ArgsDef;

/** Where a checkpointed run starts: forward and daemon (not recent/range, which name a window). */
export const checkpointArgs = settingArgs(["lookback", "overlap"]);

/** One-shot forwarding commands only (the daemon has no dry run). */
export const dryRunArg = {
  "dry-run": {
    type: "boolean",
    description: "fetch and show 5 envelopes on stdout; send nothing, change no state",
  },
} satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "machine-readable output" },
} satisfies ArgsDef;
