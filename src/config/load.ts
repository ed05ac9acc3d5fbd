// The one entry to configuration: gather (flags, env, env file, defaults), resolve, validate.
// Registers secrets for redaction and sets up logging before anything can print them.
import { UsageError } from "../errors.ts";
import { configureLogger, logger } from "../log.ts";
import { registerSecrets } from "../redact.ts";
import { type GatherInput, gatherSettings, type RawSettings } from "./gather.ts";
import { type Needs, type Resolution, resolveConfig } from "./resolve.ts";

export interface LoadedConfig extends Resolution {
  raw: RawSettings;
  envFilePath?: string;
}

export interface LoadOptions extends GatherInput {
  needs: Needs;
  /** config-check reports problems itself instead of throwing the first. */
  collectProblems?: boolean;
}

export function loadConfig(options: LoadOptions): LoadedConfig {
  const { raw, envFilePath } = gatherSettings(options);
  for (const key of ["secretAccessKey", "apiToken", "hecToken"])
    registerSecrets(raw.get(key)?.value);
  registerSecrets(redisPassword(raw.get("redisUrl")?.value));
  const resolution = resolveConfig(raw, options.needs, options.env);
  configureLogger({ level: resolution.extras.logLevel, format: resolution.extras.logFormat });
  if (!options.collectProblems) {
    const [first, ...rest] = resolution.problems;
    if (first) {
      throw new UsageError(
        first,
        rest.length ? `${rest.length} more problem(s): run config-check` : undefined,
      );
    }
    for (const warning of resolution.warnings) logger.warn(warning);
  }
  return { ...resolution, raw, envFilePath };
}

function redisPassword(url: string | undefined): string | undefined {
  if (!url) return;
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.password || parsed.username) || undefined;
  } catch {
    return;
  }
}
