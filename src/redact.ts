// Secrets never reach output: every log line and error message passes through here.
// Known secret values are replaced, and so is anything shaped like a credential.

const secrets = new Set<string>();

/** Remember values that must never be printed (tokens, keys, Redis passwords). */
export function registerSecrets(...values: (string | undefined)[]): void {
  for (const value of values) if (value && value.length >= 4) secrets.add(value);
}

const PATTERNS: [RegExp, string][] = [
  [/(Bearer\s+1\.0:[^:\s]+:)[A-Za-z0-9_-]+/g, "$1[redacted]"],
  // A credential has a digit somewhere: "Splunk accepted" in a message is prose, not a token.
  [/(Bearer|Splunk)\s+(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/g, "$1 [redacted]"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/gi, "$1[redacted]@"],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A URL fit for display: the password (and a username used as password) replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // URL's setters would percent-encode "[redacted]": set a word, then bracket it like redact().
    if (parsed.password) parsed.password = "redacted";
    else if (parsed.username) parsed.username = "redacted";
    else return parsed.href;
    return parsed.href.replace(/([/:])redacted@/, "$1[redacted]@");
  } catch {
    return redact(url);
  }
}
