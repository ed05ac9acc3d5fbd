// The one RFC 3339 parser of the code base (Crusoe's times, our own state, CLI flags).
// Strict: a date that does not exist (31 Feb) is rejected, never rolled into the next month.

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** What the Python forwarder also took on the command line: a date, or a time without offset. */
const LOOSE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;

/** Strict RFC 3339 → epoch ms (fraction truncated to ms); undefined when it is not RFC 3339. */
export function parseRfc3339(text: string): number | undefined {
  const zulu = parseZulu(text);
  if (zulu !== undefined) return zulu;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const utc = utcMs(m.slice(1, 8));
  if (utc === undefined) return undefined;
  if (m[8]) return utc;
  const [sign, hours, minutes] = [m[9], Number(m[10]), Number(m[11])];
  if (hours > 23 || minutes > 59) return undefined;
  return utc - (sign === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/**
 * The form Crusoe writes every time in, `2026-11-29T03:42:02.015Z`, read without a regular
 * expression (one per event was a tenth of the forwarder's time). Same answers as the full
 * parser; anything else (an offset, a bad digit) is left to it.
 */
function parseZulu(text: string): number | undefined {
  const n = text.length;
  if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */)
    return undefined;
  if (text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":") return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  let ms = 0;
  if (n > 20) {
    if (text[19] !== "." || n === 21) return undefined;
    const fraction = digits(text, 20, n - 1);
    if (fraction < 0) return undefined;
    ms = digits(text, 20, Math.min(23, n - 1)) * 10 ** Math.max(0, 23 - (n - 1));
  }
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23) return undefined;
  if (mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // A day that does not exist (30 Feb), or a leap second rolling into the next day.
  if ((d > 27 || s === 60) && new Date(utc).getUTCDate() !== d) return undefined;
  return utc;
}

/** The decimal number in text[from, to), or -1 when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export interface TimeInput {
  ms: number;
  /** Given without an offset (a date, or a local-looking time): read as UTC. */
  assumedUtc: boolean;
}

/**
 * A time typed by an operator: RFC 3339, or (as the Python forwarder accepted) a date
 * `2026-11-29` or a time without offset `2026-11-29T10:00[:00]`, both read as UTC.
 */
export function parseTimeInput(text: string): TimeInput | undefined {
  const trimmed = text.trim();
  const strict = parseRfc3339(trimmed);
  if (strict !== undefined) return { ms: strict, assumedUtc: false };
  const m = LOOSE.exec(trimmed);
  if (!m) return undefined;
  const ms = utcMs(m.slice(1, 8));
  return ms === undefined ? undefined : { ms, assumedUtc: true };
}

/** [year, month, day, hour?, minute?, second?, fraction?] as UTC ms; undefined if impossible. */
function utcMs(parts: (string | undefined)[]): number | undefined {
  const [y, mo, d, h, mi, s] = parts.slice(0, 6).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const fraction = parts[6];
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, "0")) : 0;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 30 Feb into March: reject dates that do not exist.
  if (new Date(utc).getUTCDate() !== d) return undefined;
  // Date.UTC maps years 0..99 to 1900..1999.
  return y < 100 ? undefined : utc;
}

/** Epoch ms → RFC 3339 UTC with milliseconds; undefined stays undefined. */
export function formatIso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
