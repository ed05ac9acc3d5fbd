// What to do with each HEC answer: the table in docs/splunk-hec.md, as a pure function.
// Dispatch on the HTTP status and the JSON code, never on the text.

/** One HTTP answer from HEC, reduced to what the sender needs. status 0 = no answer. */
export interface HecAnswer {
  status: number;
  code?: number;
  text?: string;
  invalidEventNumber?: number;
  ackId?: number;
  retryAfterMs?: number;
  /** Network error or timeout description (no secrets). */
  error?: string;
}

export type Verdict =
  | { kind: "ok"; slowDown: boolean }
  /** Objects before `bad` were indexed; `bad` is poison; the rest must be resent. */
  | { kind: "poison"; bad: number; reason: string }
  /** A poison answer without a usable position: bisect to find the bad object. */
  | { kind: "bisect"; reason: string }
  | { kind: "split"; reason: string }
  /** Transient: resend from `resumeFrom` (objects before it were indexed). */
  | { kind: "retry"; resumeFrom: number; retryAfterMs?: number; reason: string }
  | { kind: "stop"; message: string; hint?: string; sticky: boolean }
  | { kind: "ackDisabled" };

/** Splunk Cloud answers an oversized request with code 6 at event 0 instead of 413. */
const CLOUD_REQUEST_LIMIT = 1_000_000;

const AUTH: Record<number, [string, string]> = {
  1: [
    "token disabled",
    "enable the token in Splunk (Settings > Data inputs > HTTP Event Collector)",
  ],
  2: ["token missing", "set SPLUNK_HEC_TOKEN (or SPLUNK_HEC_TOKEN_FILE)"],
  3: [
    "malformed Authorization header",
    "SPLUNK_HEC_TOKEN must be the bare token (no 'Splunk ' prefix, spaces or newlines)",
  ],
  4: ["token invalid", "check SPLUNK_HEC_TOKEN against the token shown in Splunk"],
};

const CONFIG: Record<number, [string, string]> = {
  5: ["HEC says 'No data' (code 5): an empty body was sent", "this is a bug, please report it"],
  10: [
    "HEC says the data channel is missing (code 10)",
    "a proxy may strip X-Splunk-Request-Channel",
  ],
  11: [
    "HEC says the data channel is invalid (code 11)",
    "a proxy may rewrite X-Splunk-Request-Channel",
  ],
  14: [
    "HEC says indexer acknowledgement is disabled on this token (code 14)",
    "set SPLUNK_HEC_ACK=false",
  ],
  16: [
    "HEC says query-string authentication is not enabled (code 16)",
    "remove ?token= from SPLUNK_HEC_URL",
  ],
  28: [
    "HEC says the data channel is missing (code 28)",
    "a proxy may strip X-Splunk-Request-Channel",
  ],
};

const URL_HINT =
  "SPLUNK_HEC_URL should be https://host:8088, …/services/collector or …/services/collector/event";

function describe(a: HecAnswer): string {
  if (a.status === 0) return a.error ?? "no answer";
  const code = a.code === undefined ? "" : ` code ${a.code}`;
  const text = a.text ? `: ${a.text}` : "";
  return `HTTP ${a.status}${code}${text}`;
}

function isPoisonCode(code: number | undefined): code is number {
  return code === 6 || code === 12 || code === 13 || code === 15;
}

/** Classifies one answer to a request of `count` objects and `bodyBytes` uncompressed bytes. */
export function classifyAnswer(
  a: HecAnswer,
  count: number,
  bodyBytes: number,
  ackOn: boolean,
): Verdict {
  const n = a.invalidEventNumber;
  const inRange = (i: number | undefined): i is number => i !== undefined && i >= 0 && i < count;
  if (a.status >= 200 && a.status < 300)
    return { kind: "ok", slowDown: a.code === 24 || a.code === 25 };
  if (a.status === 401 || a.status === 403) {
    const [what, hint] = AUTH[a.code ?? -1] ?? [`HTTP ${a.status}`, "check SPLUNK_HEC_TOKEN"];
    return { kind: "stop", message: `Splunk HEC refused the token: ${what}`, hint, sticky: true };
  }
  if (a.status === 413) return { kind: "split", reason: "request too large (HTTP 413)" };
  if (a.status === 400 && isPoisonCode(a.code)) {
    if (a.code === 6 && n === 0 && count > 1 && bodyBytes > CLOUD_REQUEST_LIMIT) {
      return { kind: "split", reason: describe(a) };
    }
    if (inRange(n)) return { kind: "poison", bad: n, reason: describe(a) };
    return { kind: "bisect", reason: describe(a) };
  }
  if (a.status === 400 && a.code === 7) {
    // Splunk's invalid-event-number for code 7 names the object after the bad one.
    const reason = `index not allowed for this token (${describe(a)})`;
    if (n !== undefined && inRange(n - 1)) return { kind: "poison", bad: n - 1, reason };
    return { kind: "bisect", reason };
  }
  if (a.status === 400 && a.code === 14 && ackOn) return { kind: "ackDisabled" };
  if (a.status === 400 && a.code !== undefined && CONFIG[a.code]) {
    const [message, hint] = CONFIG[a.code] as [string, string];
    return { kind: "stop", message, hint, sticky: a.code !== 5 };
  }
  const retryable =
    a.status === 0 || a.status === 408 || a.status === 429 || a.status >= 500 || a.status === 404;
  if (retryable) {
    // A 503 may say a prefix was processed; resend from there only.
    const resumeFrom = a.status === 503 && n !== undefined && n >= 0 && n <= count ? n : 0;
    return { kind: "retry", resumeFrom, retryAfterMs: a.retryAfterMs, reason: describe(a) };
  }
  if (a.status === 405 || a.status === 415 || (a.status >= 300 && a.status < 400)) {
    const hint = a.status === 415 ? "set SPLUNK_GZIP=false if a proxy refuses gzip" : URL_HINT;
    return {
      kind: "stop",
      message: `Splunk HEC refused the request: ${describe(a)}`,
      hint,
      sticky: true,
    };
  }
  return { kind: "stop", message: `Splunk HEC refused the request: ${describe(a)}`, sticky: false };
}

/** The message when retries of a 404 run out: almost always a wrong URL. */
export function describeGiveUp(a: HecAnswer, retries: number): { message: string; hint?: string } {
  if (a.status === 404) {
    return {
      message: `Splunk HEC endpoint not found (HTTP 404) after ${retries} retries`,
      hint: URL_HINT,
    };
  }
  return {
    message: `Splunk HEC still failing after ${retries} retries: ${describe(a)}`,
    hint: "the events stay undelivered and are sent again on the next run",
  };
}
