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
  /** `indexed`: objects before it were indexed (code 7's prefix). */
  | { kind: "stop"; message: string; hint?: string; sticky: boolean; indexed?: number }
  | { kind: "ackDisabled" };

/** Splunk Cloud answers an oversized request with code 6 at event 0 instead of 413. */
const CLOUD_REQUEST_LIMIT = 1_000_000;
/**
 * A 413 for one event this small is a body limit set far too low (audit entries are ~1 kB),
 * not a bad event: dead-lettering it would dead-letter the whole stream.
 */
const SMALL_EVENT_BYTES = 16_384;

/** The HTTP status each HEC code comes with (docs/splunk-hec.md): a 2xx carrying one is read as it. */
const CODE_STATUS: Record<number, number> = {
  1: 403,
  2: 401,
  3: 401,
  4: 403,
  5: 400,
  6: 400,
  7: 400,
  8: 500,
  9: 503,
  10: 400,
  11: 400,
  12: 400,
  13: 400,
  14: 400,
  15: 400,
  16: 400,
  18: 503,
  19: 503,
  20: 503,
  23: 503,
  26: 429,
  27: 429,
  28: 400,
};

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
const NOT_HEC_HINT = `something other than Splunk HEC answered: a proxy or load balancer in front of it, or a wrong SPLUNK_HEC_URL (${URL_HINT.slice(0, 1).toLowerCase()}${URL_HINT.slice(1)}); nothing was marked delivered`;

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
  if (a.status < 200 || a.status >= 300)
    return classifyStatus(a, a.status, count, bodyBytes, ackOn);
  // Success is a 2xx AND a HEC body saying code 0: a proxy's page or a busy code is not.
  if (a.code === undefined) {
    const message = `Splunk HEC answered without a HEC status code (${describe(a)})`;
    return { kind: "stop", message, hint: NOT_HEC_HINT, sticky: false };
  }
  if (a.code === 0 || a.code === 24 || a.code === 25)
    return { kind: "ok", slowDown: a.code === 24 || a.code === 25 };
  const status = CODE_STATUS[a.code];
  if (status === undefined) {
    const message = `Splunk HEC answered ${describe(a)}, which is not a HEC answer to an event request`;
    return { kind: "stop", message, hint: NOT_HEC_HINT, sticky: false };
  }
  return classifyStatus(a, status, count, bodyBytes, ackOn);
}

/** The table, by `status`: the answer's own, or the one its code belongs to. */
function classifyStatus(
  a: HecAnswer,
  status: number,
  count: number,
  bodyBytes: number,
  ackOn: boolean,
): Verdict {
  const n = a.invalidEventNumber;
  const inRange = (i: number | undefined): i is number => i !== undefined && i >= 0 && i < count;
  if (status === 401 || status === 403) {
    const [what, hint] = AUTH[a.code ?? -1] ?? [`HTTP ${status}`, "check SPLUNK_HEC_TOKEN"];
    return { kind: "stop", message: `Splunk HEC refused the token: ${what}`, hint, sticky: true };
  }
  if (status === 413) {
    if (count === 1 && bodyBytes <= SMALL_EVENT_BYTES) {
      return {
        kind: "stop",
        message: `Splunk HEC answered HTTP 413 (request too large) for a single event of ${bodyBytes} bytes: a body limit in front of Splunk is set far too low`,
        hint: "raise the body limit of the proxy in front of Splunk (e.g. nginx client_max_body_size) or Splunk's max_content_length to at least SPLUNK_MAX_BATCH_BYTES; nothing was dead-lettered",
        sticky: false,
      };
    }
    return { kind: "split", reason: "request too large (HTTP 413)" };
  }
  if (status === 400 && isPoisonCode(a.code)) {
    if (a.code === 6 && n === 0 && count > 1 && bodyBytes > CLOUD_REQUEST_LIMIT) {
      return { kind: "split", reason: describe(a) };
    }
    if (inRange(n)) return { kind: "poison", bad: n, reason: describe(a) };
    return { kind: "bisect", reason: describe(a) };
  }
  if (status === 400 && a.code === 7) {
    // Every event carries the same index, so code 7 is the setting, never one bad event.
    // Its invalid-event-number names the object after the refused one: those before were indexed.
    const indexed = n !== undefined && inRange(n - 1) ? n - 1 : 0;
    return {
      kind: "stop",
      message: `Splunk HEC refused the index for this token (${describe(a)})`,
      hint: "set SPLUNK_INDEX to an index the token may write to, or add it to the token's allowed indexes; nothing was dead-lettered",
      sticky: false,
      indexed,
    };
  }
  if (status === 400 && a.code === 14 && ackOn) return { kind: "ackDisabled" };
  if (status === 400 && a.code !== undefined && CONFIG[a.code]) {
    const [message, hint] = CONFIG[a.code] as [string, string];
    return { kind: "stop", message, hint, sticky: a.code !== 5 };
  }
  const retryable =
    status === 0 || status === 408 || status === 429 || status >= 500 || status === 404;
  if (retryable) {
    // A 503 may say a prefix was processed; resend from there only.
    const resumeFrom = status === 503 && n !== undefined && n >= 0 && n <= count ? n : 0;
    return { kind: "retry", resumeFrom, retryAfterMs: a.retryAfterMs, reason: describe(a) };
  }
  if (status === 405 || status === 415 || (status >= 300 && status < 400)) {
    const hint = status === 415 ? "set SPLUNK_GZIP=false if a proxy refuses gzip" : URL_HINT;
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
