// Crusoe request signing, version 1.0, byte-for-byte like the official Go client (client-go auth.go).
import { UsageError } from "../errors.ts";
import { hmacSha256 } from "../runtime/hmac.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Go url.QueryEscape: A-Z a-z 0-9 - _ . ~ stay, space becomes +, every other byte %XX (upper hex).
const ESCAPES: string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
  if (c === " ") return "+";
  return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
});

export function queryEscape(s: string): string {
  // Fast path: most values (times, numbers, ids) need no escaping.
  if (/^[A-Za-z0-9\-_.~]*$/.test(s)) return s;
  let out = "";
  for (const byte of encoder.encode(s)) out += ESCAPES[byte];
  return out;
}

/** Go url.QueryUnescape: `+` is a space, `%XX` a byte; a broken escape throws. */
export function queryUnescape(s: string): string {
  if (!/[%+]/.test(s)) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "+") bytes.push(0x20);
    else if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`invalid URL escape "%${hex}"`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else for (const b of encoder.encode(c)) bytes.push(b);
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** Parse a raw query as the server does (Go's rules: `&` separates, `;` is refused). */
export function parseWireQuery(raw: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) throw new Error("invalid semicolon separator in query");
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    pairs.push([queryUnescape(key), queryUnescape(value)]);
  }
  return pairs;
}

// Go sorts keys as bytes (UTF-8). UTF-16 code units order the same except surrogates, which
// must sort above U+E000..U+FFFF; shift both ranges so plain comparison gives UTF-8 order.
function codePointOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Byte-wise key sort (stable, so a repeated key keeps its values' order), QueryEscape, `k=v&…`. */
export function canonicalQuery(pairs: [string, string][]): string {
  return [...pairs]
    .sort((a, b) => codePointOrder(a[0], b[0]))
    .map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`)
    .join("&");
}

/** The secret is base64url without padding (22 chars = 16 bytes for real keys). */
export function decodeSecret(secret: string): Uint8Array {
  // Trailing padding is tolerated: it decodes to the same bytes.
  const s = secret.trim().replace(/=+$/, "");
  if (s === "" || !/^[A-Za-z0-9_-]+$/.test(s) || s.length % 4 === 1) {
    throw new UsageError(
      "CRUSOE_SECRET_ACCESS_KEY is not a valid key: expected base64url without padding (A-Z a-z 0-9 - _)",
      "copy the secret access key exactly as Crusoe showed it when the key was created",
    );
  }
  const binary = atob(
    s
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(s.length / 4) * 4, "="),
  );
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** RFC3339 UTC with whole seconds, as the official client sends X-Crusoe-Timestamp. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The path as Go's URL.Path has it (percent escapes decoded); a UUID org id needs none. */
export function signedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

export interface SignInput {
  method: string;
  path: string;
  query: [string, string][];
  timestamp: string;
}
export interface Signed {
  authorization: string;
  canonicalQuery: string;
  stringToSign: string;
}
export type Signer = (input: SignInput) => Promise<Signed>;

/** Import the HMAC key once; the returned signer is cheap to call per attempt. */
export async function createSigner(accessKeyId: string, secretAccessKey: string): Promise<Signer> {
  const mac = await hmacSha256(decodeSecret(secretAccessKey) as Uint8Array<ArrayBuffer>);
  return async ({ method, path, query, timestamp }) => {
    const canonical = canonicalQuery(query);
    const stringToSign = `${path}\n${canonical}\n${method}\n${timestamp}\n`;
    const authorization = `Bearer 1.0:${accessKeyId}:${encodeBase64Url(await mac(stringToSign))}`;
    return { authorization, canonicalQuery: canonical, stringToSign };
  };
}

export async function signRequest(
  input: SignInput & { accessKeyId: string; secretAccessKey: string },
): Promise<Signed> {
  const sign = await createSigner(input.accessKeyId, input.secretAccessKey);
  return sign(input);
}
