// The thin layer every verb shares: strict flags, config from the process, exit codes.
import { type ArgsDef, defineCommand, type ParsedArgs } from "citty";
import type { LoadedConfig } from "../config/load.ts";
import type { Needs } from "../config/resolve.ts";
import { type LoadedStreams, loadStreams } from "../config/streams.ts";
import { UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import { applyCompatFlags } from "./_compat.ts";
import { suggest } from "./_suggest.ts";

export interface VerbSpec<T extends ArgsDef> {
  name: string;
  description: string;
  args: T;
  run: (args: ParsedArgs<T>) => Promise<number>;
}

export function defineVerb<T extends ArgsDef>(spec: VerbSpec<T>) {
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args: spec.args,
    async run({ args, rawArgs }) {
      rejectUnknownFlags(spec.name, rawArgs, spec.args);
      process.exitCode = await spec.run(args as ParsedArgs<T>);
    },
  });
}

/** citty ignores unknown flags; a typo like --lookbak must not silently use the default. */
function rejectUnknownFlags(verb: string, rawArgs: string[], args: ArgsDef): void {
  const known = new Set<string>(["help", "h"]);
  for (const [name, def] of Object.entries(args)) {
    known.add(name);
    if (def.type === "boolean") known.add(`no-${name}`);
    const alias = "alias" in def ? def.alias : undefined;
    for (const short of [alias ?? []].flat()) known.add(short);
  }
  for (const arg of rawArgs) {
    if (arg === "--") break;
    const match = /^--?([^=]+)/.exec(arg);
    if (match?.[1] && !known.has(match[1])) {
      const close = suggest(match[1], Object.keys(args));
      throw new UsageError(
        `unknown flag ${arg.split("=")[0]} for ${verb}${close ? `: did you mean --${close}?` : ""}`,
        `see: crusoe-splunk-hec ${verb} --help`,
      );
    }
  }
  const positional = rawArgs.filter(
    (arg, i) => !arg.startsWith("-") && !takesValue(rawArgs[i - 1], args),
  );
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}" for ${verb}`);
}

function takesValue(previous: string | undefined, args: ArgsDef): boolean {
  if (!previous?.startsWith("-") || previous.includes("=")) return false;
  const def = args[previous.replace(/^--?/, "")];
  return def !== undefined && def.type !== "boolean";
}

/** Every stream: the config file's (--config, CONFIG_FILE; --stream narrows) or this process's one. */
export async function loadStreamsFromArgs(
  args: Record<string, unknown>,
  needs: Needs,
  collectProblems = false,
): Promise<LoadedStreams> {
  const compat = applyCompatFlags(args);
  const only =
    typeof args.stream === "string"
      ? args.stream
          .split(",")
          .map((name) => name.trim())
          .filter(Boolean)
      : undefined;
  if (only?.length === 0) throw new UsageError("--stream: give a stream name (NAME[,NAME])");
  const loaded = await loadStreams({
    ...loadInput(args, compat.envFile),
    needs,
    collectProblems,
    only,
  });
  for (const note of compat.notes) logger.info(note);
  return loaded;
}

/** The one stream of a run without a config file (or the one --stream picked). */
export function onlyStream({ streams }: LoadedStreams): LoadedConfig {
  const [first] = streams;
  if (!first) throw new Error("no stream loaded");
  return first.loaded;
}

function loadInput(args: Record<string, unknown>, envFile: string | undefined) {
  const flags = { ...args };
  if (args.verbose) flags["log-level"] = "debug";
  else if (args.quiet) flags["log-level"] = "warn";
  return { flags, env: process.env, cwd: process.cwd(), envFile };
}

export const NEEDS_ALL: Needs = { crusoeAuth: true, orgId: true, sink: true };
export const NEEDS_STREAM: Needs = { crusoeAuth: false, orgId: true, sink: false };
