// Every stream a command runs: one from flags/environment as always, or each entry of a config
// file layered over its `defaults`. All are validated before anything runs.
import { join, resolve } from "node:path";
import { AppError, UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import { readConfigFile } from "./config-file.ts";
import { gatherSettings } from "./gather.ts";
import { type LoadedConfig, type LoadOptions, loadConfig } from "./load.ts";

export interface LoadedStream {
  /** The config file's stream name (also its state key); undefined without a config file. */
  name?: string;
  loaded: LoadedConfig;
}

export interface StreamsOptions extends LoadOptions {
  /** --stream NAME[,NAME]: only these (all are still validated). */
  only?: string[];
}

export interface LoadedStreams {
  /** The config file, when one is used. */
  file?: string;
  streams: LoadedStream[];
}

export async function loadStreams(options: StreamsOptions): Promise<LoadedStreams> {
  const named = gatherSettings(options).raw.get("configFile");
  const configFile = named?.value.trim();
  if (!configFile) {
    if (options.only) throw new UsageError("--stream picks streams of a config file: add --config");
    return { streams: [{ loaded: loadConfig(options) }] };
  }
  const path = resolve(options.cwd, configFile);
  const file = await readConfigFile(path, named?.via);
  for (const name of options.only ?? []) {
    if (!file.streams.some((s) => s.name === name))
      throw new UsageError(
        `--stream ${name}: no such stream in ${path} (it has ${file.streams.map((s) => s.name).join(", ")})`,
      );
  }
  const problems: string[] = [];
  const warnings = new Map<string, string[]>();
  const streams: LoadedStream[] = [];
  for (const entry of file.streams) {
    const where = `${path}: stream "${entry.name}"`;
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig({
        ...options,
        collectProblems: true,
        layers: [
          { vars: entry.vars, prefix: "" },
          { vars: file.defaults, prefix: "defaults." },
        ],
      });
    } catch (error) {
      if (error instanceof AppError) throw new UsageError(`${where}: ${error.message}`, error.hint);
      throw error;
    }
    const { config, raw } = loaded;
    config.state.streamName = entry.name;
    if (!raw.has("deadLetterFile"))
      config.state.deadLetterFile = join(config.state.dir, `dead-letter.${entry.name}.ndjson`);
    loaded.problems = loaded.problems.map((problem) => `${where}: ${problem}`);
    problems.push(...loaded.problems);
    for (const warning of loaded.warnings)
      warnings.set(warning, [...(warnings.get(warning) ?? []), entry.name]);
    streams.push({ name: entry.name, loaded });
  }
  problems.push(...sharedDeadLetterProblems(path, streams));
  const selected = options.only
    ? streams.filter((s) => options.only?.includes(s.name ?? ""))
    : streams;
  if (!options.collectProblems) {
    const [first, ...rest] = problems;
    if (first)
      throw new UsageError(
        first,
        rest.length ? `${rest.length} more problem(s): run config-check` : undefined,
      );
    for (const warning of file.warnings) logger.warn(warning);
    for (const [warning, names] of warnings) {
      const whose =
        names.length === streams.length ? "" : `stream ${names.map((n) => `"${n}"`).join(", ")}: `;
      logger.warn(`${whose}${warning}`);
    }
  } else {
    for (const { loaded } of selected) loaded.warnings.unshift(...file.warnings);
  }
  return { file: path, streams: selected };
}

/** Two streams appending to one dead-letter file could not be replayed apart. */
function sharedDeadLetterProblems(path: string, streams: LoadedStream[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { name, loaded } of streams) {
    const file = loaded.config.state.deadLetterFile;
    const other = seen.get(file);
    if (other)
      problems.push(
        `${path}: stream "${name}": DEAD_LETTER_FILE ${file} is also stream "${other}"'s: give each stream its own (or leave it unset)`,
      );
    else seen.set(file, name ?? "");
  }
  return problems;
}
