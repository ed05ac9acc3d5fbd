// Redis URLs carry the password; only these redacted forms ever reach output or errors.

/** The URL with its password replaced by `***` (user, host, port and db kept). */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(unparseable Redis URL)";
  }
}

/** `redis://host:port`, for "cannot reach" messages. */
export function redisEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparseable Redis URL)";
  }
}

/** Removes the password from text that came from the Redis client (error messages). */
export function scrubSecret(text: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {}
  return password ? text.split(password).join("***") : text;
}
