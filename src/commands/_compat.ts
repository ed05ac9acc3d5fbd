// Flags of the older Python forwarder, accepted so that its cron lines keep working; each is
// mapped to what it means here and said once in the log.
import type { ArgsDef } from "citty";
import { UsageError } from "../errors.ts";

export const configFileArg = {
  "config-file": {
    type: "string",
    description: "the Python forwarder's flag: read as --env-file (KEY=VALUE lines)",
  },
} satisfies ArgsDef;

export const enableDedupArg = {
  "enable-dedup": {
    type: "boolean",
    description: "the Python forwarder's flag: accepted, dedup is always on",
  },
} satisfies ArgsDef;

export interface CompatResult {
  envFile?: string;
  notes: string[];
}

export function applyCompatFlags(args: Record<string, unknown>): CompatResult {
  const notes: string[] = [];
  let envFile = typeof args["env-file"] === "string" ? args["env-file"] : undefined;
  const configFile = args["config-file"];
  if (typeof configFile === "string" && configFile !== "") {
    if (envFile !== undefined) throw new UsageError("--config-file and --env-file: give one");
    envFile = configFile;
    notes.push(`--config-file ${configFile}: read as --env-file (KEY=VALUE lines)`);
  }
  if (args["enable-dedup"]) {
    if (args["disable-dedup"]) throw new UsageError("--enable-dedup and --disable-dedup: give one");
    notes.push("--enable-dedup: nothing to do, dedup is always on (--disable-dedup turns it off)");
  }
  return { envFile, notes };
}
