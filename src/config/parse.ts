// Turn one raw setting into a typed value, or a one-line problem naming the variable or flag.
import type { RawValue } from "./gather.ts";
import type { Setting } from "./settings.ts";

export function describeSource(setting: Setting, raw: RawValue | undefined): string {
  if (raw?.via) return raw.via;
  return setting.env ?? (setting.flag ? `--${setting.flag}` : setting.key);
}

export function parseNumber(setting: Setting, raw: RawValue, problems: string[]): number {
  const text = raw.value.trim();
  const value = Number(text);
  const name = describeSource(setting, raw);
  const integer = setting.kind === "int";
  if (text === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    problems.push(`${name}: "${raw.value}" is not ${integer ? "a whole number" : "a number"}`);
    return Number.NaN;
  }
  if (
    (setting.min !== undefined && value < setting.min) ||
    (setting.max !== undefined && value > setting.max)
  ) {
    problems.push(
      `${name}: ${value} is out of range (${setting.min ?? "-∞"}..${setting.max ?? "∞"})`,
    );
  }
  return value;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

export function parseBool(setting: Setting, raw: RawValue, problems: string[]): boolean {
  const text = raw.value.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  problems.push(`${describeSource(setting, raw)}: "${raw.value}" is not true or false`);
  return false;
}

export function parseList(raw: RawValue): string[] {
  return raw.value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

export function parseHttpUrl(setting: Setting, raw: RawValue, problems: string[]): URL | undefined {
  const name = describeSource(setting, raw);
  let url: URL;
  try {
    url = new URL(raw.value.trim());
  } catch {
    problems.push(`${name}: "${raw.value}" is not a URL`);
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    problems.push(`${name}: must be http:// or https://, not ${url.protocol}//`);
    return;
  }
  if (url.username || url.password) {
    problems.push(`${name}: must not carry credentials in the URL`);
    return;
  }
  return url;
}

export function isLoopback(url: URL): boolean {
  return (
    ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.hostname.startsWith("127.")
  );
}
