// HTTP to HEC: headers, channel, cookies, gzip, timeouts, keep-alive recycling. Returns answers,
// never throws for network trouble. The token only ever goes into the Authorization header.
import type { HecConfig } from "../config/types.ts";
import { fields, logger } from "../log.ts";
import { createHttpClient } from "../runtime/http.ts";
import { parseRetryAfter, withDeadline } from "../wait.ts";
import { cookieJarFor, processChannel } from "./channel.ts";
import type { HecAnswer } from "./codes.ts";
import { GZIP_MIN_BYTES, gzipBody } from "./gzip.ts";
import { hecEndpoints } from "./url.ts";

/** Reopen connections this often so load balancers can spread traffic across indexers. */
const RECYCLE_EVERY_MS = 60_000;

export interface HecTransport {
  readonly endpoints: ReturnType<typeof hecEndpoints>;
  postEvents(body: string | Uint8Array<ArrayBuffer>): Promise<HecAnswer>;
  postAcks(ids: number[]): Promise<HecAnswer & { acks?: Record<string, boolean> }>;
  get(url: string): Promise<HecAnswer>;
  /** Asks for fresh connections (after 429/5xx, outside ack mode). */
  recycle(): void;
  close(): void;
}

/** `stop` aborts requests in flight (the sink passes a stop signal delayed by a grace period). */
export function createTransport(
  config: HecConfig,
  now: () => number = Date.now,
  stop?: AbortSignal,
): HecTransport {
  const endpoints = hecEndpoints(config.url);
  const client = createHttpClient(config.tls);
  const jar = cookieJarFor(new URL(endpoints.event).origin);
  let lastRecycle = now();

  const headers = (extra: Record<string, string>): Record<string, string> => {
    const cookie = jar.header();
    return {
      Authorization: `Splunk ${config.token}`,
      "X-Splunk-Request-Channel": processChannel,
      ...(cookie ? { Cookie: cookie } : {}),
      ...extra,
    };
  };

  function request(url: string, init: RequestInit): Promise<HecAnswer & { json?: unknown }> {
    if (!config.ack && now() - lastRecycle > RECYCLE_EVERY_MS) recycle();
    // The deadline covers reading the body too.
    return withDeadline(config.timeoutMs, stop, (signal) =>
      exchange(url, { ...init, redirect: "manual", signal }),
    );
  }

  async function exchange(url: string, init: RequestInit): Promise<HecAnswer & { json?: unknown }> {
    let response: Response;
    try {
      response = await client.fetch(url, init);
    } catch (err) {
      return { status: 0, error: describeNetworkError(err, url, config.timeoutMs) };
    }
    jar.store(response.headers.getSetCookie?.() ?? []);
    let raw = "";
    try {
      raw = await response.text();
    } catch (err) {
      return { status: 0, error: describeNetworkError(err, url, config.timeoutMs) };
    }
    return { status: response.status, ...parseBody(raw), retryAfterMs: retryAfter(response) };
  }

  const retryAfter = (r: Response) => {
    const date = Date.parse(r.headers.get("date") ?? "");
    return parseRetryAfter(
      r.headers.get("retry-after"),
      now(),
      Number.isNaN(date) ? undefined : date,
    );
  };

  function recycle(): void {
    lastRecycle = now();
    client.recycle();
  }

  return {
    endpoints,
    async postEvents(body) {
      const extra: Record<string, string> = { "Content-Type": "application/json" };
      // Bytes may be a view of a reused buffer (hec/body.ts): gzip or copy before any await.
      let payload: BodyInit;
      if (typeof body === "string") payload = body;
      else if (config.gzip && body.length >= GZIP_MIN_BYTES) {
        payload = gzipBody(body);
        extra["Content-Encoding"] = "gzip";
      } else payload = body.slice();
      const started = now();
      const answer = await request(endpoints.event, {
        method: "POST",
        headers: headers(extra),
        body: payload,
      });
      // Counting lines of a 1 MB body is cheap, but not free: only when someone reads it.
      if (logger.level >= 4 /* debug */)
        logger.debug(
          "hec request",
          fields({
            events: countLines(body),
            bytes: body.length,
            sentBytes:
              typeof payload === "string" ? payload.length : (payload as Uint8Array).length,
            status: answer.status,
            code: answer.code,
            error: answer.error,
            durationMs: now() - started,
          }),
        );
      return answer;
    },
    async postAcks(ids) {
      const answer = await request(endpoints.ack, {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ acks: ids }),
      });
      const acks = (answer.json as { acks?: unknown } | undefined)?.acks;
      return isRecord(acks) ? { ...answer, acks: acks as Record<string, boolean> } : answer;
    },
    get(url) {
      return request(url, { method: "GET", headers: headers({}) });
    },
    recycle,
    close: () => client.close(),
  };
}

function countLines(body: string | Uint8Array): number {
  const text = typeof body === "string";
  let lines = 0;
  for (let i = 0; i < body.length; i++)
    if (text ? (body as string).charCodeAt(i) === 10 : (body as Uint8Array)[i] === 10) lines++;
  return lines;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseBody(raw: string): Omit<HecAnswer, "status"> & { json?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Load balancers answer HTML; keep a short excerpt for the message.
    return { text: raw.replace(/\s+/g, " ").trim().slice(0, 120) || "(empty body)" };
  }
  if (!isRecord(json)) return { json };
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  return {
    json,
    code: num(json.code),
    text: typeof json.text === "string" ? json.text : undefined,
    invalidEventNumber: num(json["invalid-event-number"]),
    ackId: num(json.ackId),
  };
}

function describeNetworkError(err: unknown, url: string, timeoutMs: number): string {
  const name = (err as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return `no answer from ${new URL(url).host} within ${timeoutMs} ms`;
  }
  const code = (err as { code?: string })?.code;
  const message = err instanceof Error ? err.message : String(err);
  const why = code ?? message;
  // Splunk's default HEC certificate is self-signed: say what fixes it.
  const hint = /CERT|SELF_SIGNED|VERIFY|HOSTNAME|ALTNAME/i.test(why)
    ? " (set SPLUNK_CA_FILE to the CA that signed the HEC certificate, or SPLUNK_TLS_SERVER_NAME)"
    : "";
  return `cannot reach ${new URL(url).host}: ${why}${hint}`;
}
