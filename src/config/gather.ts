// Collect each setting's raw value and where it came from:
// flags > config-file layers (a stream's entry, then `defaults`) > environment > env file
// (./.env or --env-file) > defaults; secrets also from NAME_FILE.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { parseEnvFile } from "./env-file.ts";
import { SETTINGS, type Setting } from "./settings.ts";

export type Origin = "flag" | "config file" | "env" | "env file" | "default";
export interface RawValue {
  value: string;
  origin: Origin;
  /** The variable or file it was read through, e.g. SPLUNK_HEC_TOKEN_FILE. */
  via?: string;
}
export type RawSettings = Map<string, RawValue>;

export interface GatherInput {
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** --env-file; when absent ./.env is read if it exists. */
  envFile?: string;
  /** Variables from a config file, most specific first (a stream's entry, then `defaults`). */
  layers?: Layer[];
}

export interface Layer {
  vars: Record<string, string>;
  /** Put before the variable's name in messages and config-check: "" or "defaults.". */
  prefix: string;
}

/** The Python forwarder's variables that mean nothing here: set, they are warned about. */
const UNUSED_LEGACY: Record<string, string> = {
  CRUSOE_REGION: "CRUSOE_REGION is set but not used: the audit-log API is not regional",
};

export interface Gathered {
  raw: RawSettings;
  envFilePath?: string;
  /** One line per legacy variable that is set and ignored. */
  unused: string[];
}

export function gatherSettings(input: GatherInput): Gathered {
  const file = readEnvFile(input);
  const unused = Object.entries(UNUSED_LEGACY)
    .filter(([name]) => input.env[name] || file?.vars[name])
    .map(([, message]) => message);
  const raw: RawSettings = new Map();
  for (const setting of SETTINGS) {
    const found =
      fromFlag(setting, input.flags) ??
      fromLayers(setting, input.layers ?? []) ??
      fromVars(setting, input.env, "env") ??
      (file ? fromVars(setting, file.vars, "env file") : undefined);
    if (found) raw.set(setting.key, found);
    else if (setting.default !== undefined)
      raw.set(setting.key, { value: setting.default, origin: "default" });
  }
  return { raw, envFilePath: file?.path, unused };
}

function readEnvFile(
  input: GatherInput,
): { path: string; vars: Record<string, string> } | undefined {
  const path = resolve(input.cwd, input.envFile ?? ".env");
  try {
    return { path, vars: parseEnvFile(readFileSync(path, "utf8")) };
  } catch (error) {
    if (input.envFile === undefined && (error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new UsageError(`--env-file ${path}: cannot read it (${(error as Error).message})`);
  }
}

function fromFlag(setting: Setting, flags: Record<string, unknown>): RawValue | undefined {
  if (!setting.flag) return;
  const value = flags[setting.flag];
  if (value === undefined || value === "") return;
  return { value: String(value), origin: "flag", via: `--${setting.flag}` };
}

function fromLayers(setting: Setting, layers: Layer[]): RawValue | undefined {
  for (const layer of layers) {
    const found = fromVars(setting, layer.vars, "config file");
    if (found) return { ...found, via: `${layer.prefix}${found.via}` };
  }
}

function fromVars(
  setting: Setting,
  vars: Record<string, string | undefined>,
  origin: Origin,
): RawValue | undefined {
  if (!setting.env) return;
  const direct = vars[setting.env];
  const fileVar = `${setting.env}_FILE`;
  const filePath = setting.secret ? vars[fileVar] : undefined;
  if (direct !== undefined && direct !== "" && filePath) {
    throw new UsageError(`${setting.env} and ${fileVar} are both set: keep one`);
  }
  if (direct !== undefined && direct !== "") return { value: direct, origin, via: setting.env };
  if (!filePath) return;
  let value: string;
  try {
    value = readFileSync(filePath, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError(`${fileVar}: cannot read ${filePath} (${code})`);
  }
  // Never a silent fallback: an empty REDIS_URL_FILE would switch to filesystem state.
  if (value === "") throw new UsageError(`${fileVar}: ${filePath} is empty`);
  return { value, origin, via: fileVar };
}
