// The effective configuration as rows for config-check: value (secrets redacted) and origin.
import { redactUrl } from "../redact.ts";
import type { RawSettings } from "./gather.ts";
import { SETTINGS, type Setting } from "./settings.ts";

export interface ConfigRow {
  name: string;
  value: string | null;
  origin: string;
}

export function describeConfig(raw: RawSettings): ConfigRow[] {
  return SETTINGS.map((setting) => {
    const found = raw.get(setting.key);
    const origin = found
      ? found.via && found.origin !== "flag"
        ? `${found.origin} (${found.via})`
        : found.origin
      : "unset";
    return {
      name: setting.env ?? `--${setting.flag}`,
      value: found ? display(setting, found.value) : null,
      origin,
    };
  });
}

function display(setting: Setting, value: string): string {
  // Any URL may carry user:password@ (rejected for http, but still never printed).
  if (setting.key === "redisUrl" || setting.kind === "url") return redactUrl(value);
  if (setting.secret) return "[redacted]";
  if (setting.masked) return value.length > 6 ? `${value.slice(0, 4)}…` : "[redacted]";
  return value;
}
