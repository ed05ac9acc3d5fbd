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
  const { raw, envFilePath, unused } = gatherSettings(options);
  // Both forms: the value as given and the trimmed one the clients actually send.
  for (const key of ["secretAccessKey", "apiToken", "hecToken"]) {
    const value = raw.get(key)?.value;
    registerSecrets(value, value?.trim());
  }
  registerSecrets(...redisPassword(raw.get("redisUrl")?.value?.trim()));
  const resolution = resolveConfig(raw, options.needs, options.env);
  resolution.warnings.push(...unused);
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

/** The password (or a username used as one), percent-encoded as written and decoded. */
function redisPassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const encoded = parsed.password || parsed.username;
    try {
      return [encoded, decodeURIComponent(encoded)];
    } catch {
      return [encoded]; // a malformed %-escape: still never shown as written
    }
  } catch {
    return [];
  }
}
