// Turn one raw setting into a typed value, or a one-line problem naming the variable or flag.
import type { RawValue } from "./gather.ts";
import type { Setting } from "./settings.ts";

export function describeSource(setting: Setting, raw: RawValue | undefined): string {
  if (raw?.via) return raw.via;
  return setting.env ?? (setting.flag ? `--${setting.flag}` : setting.key);
}

/** Plain decimal digits only: Number() would also take 1e3, 0x10, +5, " " and Infinity. */
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A plain decimal (or, with integer, whole) number; undefined for anything else. */
export function parsePlainNumber(text: string, integer: boolean): number | undefined {
  const trimmed = text.trim();
  return (integer ? INTEGER : DECIMAL).test(trimmed) ? Number(trimmed) : undefined;
}

export function parseNumber(setting: Setting, raw: RawValue, problems: string[]): number {
  const name = describeSource(setting, raw);
  const integer = setting.kind === "int";
  const value = parsePlainNumber(raw.value, integer);
  if (value === undefined) {
    const what = integer ? "a whole number (digits only, e.g. 30)" : "a number (e.g. 30 or 2.5)";
    problems.push(`${name}: "${raw.value}" is not ${what}`);
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

/** Also what the README documents; any case, surrounding spaces ignored. */
const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

export function parseBool(setting: Setting, raw: RawValue, problems: string[]): boolean {
  const text = raw.value.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  problems.push(
    `${describeSource(setting, raw)}: "${raw.value}" is not a boolean (true/false, 1/0, yes/no, on/off)`,
  );
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
