// A minimal cookie jar: sticky load balancers (AWS ALB, F5) pin a channel to one indexer with a
// cookie, and acks only exist on the indexer that took the data (docs/splunk-hec.md).

export interface CookieJar {
  /** Records the Set-Cookie headers of one answer. */
  store(setCookies: string[]): void;
  /** The Cookie header to send, or undefined when the jar is empty. */
  header(): string | undefined;
}

export function createCookieJar(now: () => number = Date.now): CookieJar {
  const cookies = new Map<string, { value: string; expiresAt?: number }>();
  return {
    store(setCookies) {
      for (const line of setCookies) {
        const [pair = "", ...attrs] = line.split(";");
        const eq = pair.indexOf("=");
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expiresAt = readExpiry(attrs, now());
        if (expiresAt !== undefined && expiresAt <= now()) cookies.delete(name);
        else cookies.set(name, { value, expiresAt });
      }
    },
    header() {
      const t = now();
      const parts: string[] = [];
      for (const [name, c] of cookies) {
        if (c.expiresAt !== undefined && c.expiresAt <= t) cookies.delete(name);
        else parts.push(`${name}=${c.value}`);
      }
      return parts.length > 0 ? parts.join("; ") : undefined;
    },
  };
}

function readExpiry(attrs: string[], nowMs: number): number | undefined {
  let expires: number | undefined;
  for (const attr of attrs) {
    const [key = "", val = ""] = attr.split("=", 2).map((s) => s.trim());
    const lower = key.toLowerCase();
    // Max-Age wins over Expires (RFC 6265 §5.3).
    if (lower === "max-age" && /^-?\d+$/.test(val)) return nowMs + Number(val) * 1000;
    if (lower === "expires") {
      const at = Date.parse(val);
      if (!Number.isNaN(at)) expires = at;
    }
  }
  return expires;
}
