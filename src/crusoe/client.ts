// The Crusoe audit-log reader: signed requests, its own retry loop, clock skew from `Date`.
import { ofetch } from "ofetch";
import type { CrusoeConfig } from "../config/types.ts";
import { StoppedError } from "../errors.ts";
import { fields, logger } from "../log.ts";
import { observeRequest, observeRetry } from "../metrics/observe.ts";
import { computeBackoff, MAX_WAIT_MS, parseRetryAfter, sleep, withDeadline } from "../wait.ts";
import { CrusoeError } from "./errors.ts";
import { readPages } from "./pages.ts";
import { buildAuditQuery, type TimeWindow } from "./query.ts";
import { isRetryableStatus, type PageItems, parsePage, statusError } from "./response.ts";
import { canonicalQuery, createSigner, rfc3339Seconds, type Signer, signedPath } from "./sign.ts";

export interface CrusoeClientOptions {
  /** Local clock (ms); tests skew it. */
  now?: () => number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A Retry-After beyond this fails the request at once (default MAX_WAIT_MS). */
  maxRetryAfterMs?: number;
  /** A stop (SIGTERM/SIGINT): aborts the request in flight and any wait. */
  signal?: AbortSignal;
}
export interface CrusoeStats {
  requests: number;
  retries: number;
  pages: number;
  entries: number;
}
export interface CrusoeClient {
  /** Pages of one window [startMs, endMs); memory bounded by one page; guards repeated token/page. */
  pages(window: TimeWindow): AsyncGenerator<PageItems>;
  /** Server time estimate in ms (local clock + skew learned from Date headers); probes first if needed. */
  serverNow(): Promise<number>;
  /** Signed limit=1 request for `health`: latency and skew (server - local, ms). */
  probe(): Promise<{ latencyMs: number; skewMs: number }>;
  readonly skewMs: number | undefined;
  readonly stats: CrusoeStats;
}

interface Answer {
  text: string;
  latencyMs: number;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.cause?.name === "TimeoutError") {
    return `no answer within ${timeoutMs / 1000}s (REQUEST_TIMEOUT)`;
  }
  // ofetch's message repeats the URL; the cause says what went wrong.
  return `connection failed: ${e?.cause?.message ?? e?.message ?? String(err)}`;
}

export function createCrusoeClient(
  config: CrusoeConfig,
  options: CrusoeClientOptions = {},
): CrusoeClient {
  const now = options.now ?? Date.now;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? MAX_WAIT_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? MAX_WAIT_MS;
  const { signal } = options;
  const url = `${config.baseUrl.replace(/\/+$/, "")}/organizations/${encodeURIComponent(config.orgId)}/audit-logs`;
  const path = signedPath(new URL(url).pathname);
  const stats: CrusoeStats = { requests: 0, retries: 0, pages: 0, entries: 0 };
  let skewMs: number | undefined;
  let signer: Promise<Signer> | undefined;
  let warnedToken = false;

  async function authHeaders(query: [string, string][]): Promise<Record<string, string>> {
    if (config.auth.kind === "token") {
      if (!warnedToken) {
        warnedToken = true;
        logger.warn(
          "CRUSOE_API_TOKEN: sending an unsigned Bearer token, which is not a documented Crusoe mechanism; prefer CRUSOE_ACCESS_KEY_ID and CRUSOE_SECRET_ACCESS_KEY",
        );
      }
      return { authorization: `Bearer ${config.auth.token}` };
    }
    const { accessKeyId, secretAccessKey } = config.auth;
    signer ??= createSigner(accessKeyId, secretAccessKey);
    // A fresh timestamp per attempt: a retry never reuses an old signature.
    const timestamp = rfc3339Seconds(now());
    const signed = await (await signer)({ method: "GET", path, query, timestamp });
    return { authorization: signed.authorization, "x-crusoe-timestamp": timestamp };
  }

  function learnSkew(date: string | null, sentAt: number, receivedAt: number): number | undefined {
    const dateMs = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(dateMs)) return undefined;
    // Date has whole seconds (truncated): the server's clock was in [date, date + 1s).
    skewMs = Math.round(dateMs + 500 - (sentAt + receivedAt) / 2);
    return dateMs;
  }

  async function request(query: [string, string][]): Promise<Answer> {
    const target = `${url}?${canonicalQuery(query)}`;
    const attempts = config.maxRetries + 1;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new StoppedError("a Crusoe request");
      const headers = { ...(await authHeaders(query)), "user-agent": "crusoe-splunk-hec" };
      const sentAt = now();
      const started = performance.now();
      let waitMs: number;
      let failure: CrusoeError;
      try {
        stats.requests++;
        const res = await withDeadline(config.timeoutMs, signal, (deadline) =>
          ofetch.raw(target, {
            method: "GET",
            headers,
            retry: 0,
            ignoreResponseError: true,
            responseType: "text",
            signal: deadline,
          }),
        );
        const latencyMs = performance.now() - started;
        observeRequest("crusoe", latencyMs / 1000);
        const dateMs = learnSkew(res.headers.get("date"), sentAt, now());
        const text = res._data ?? "";
        if (res.status >= 200 && res.status < 300) return { text, latencyMs };
        const ctx = {
          orgId: config.orgId,
          baseUrl: config.baseUrl,
          signed: config.auth.kind === "signed",
          skewMs,
        };
        failure = statusError(res.status, text, ctx);
        if (!isRetryableStatus(res.status)) throw failure;
        const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now(), dateMs);
        if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
          throw new CrusoeError(
            `${failure.message} and asked to retry after ${Math.round(retryAfterMs / 1000)} s (Retry-After), longer than a run waits (${Math.round(maxRetryAfterMs / 1000)} s): stopping`,
            failure.status,
            "nothing was advanced; the next run reads this window again",
          );
        }
        waitMs = retryAfterMs ?? computeBackoff(attempt + 1, retryBaseMs, retryMaxMs);
      } catch (err) {
        if (err instanceof CrusoeError) throw err;
        if (signal?.aborted) throw new StoppedError("a Crusoe request");
        failure = new CrusoeError(
          `Crusoe request failed: ${describeFailure(err, config.timeoutMs)}`,
          undefined,
          `check network access to ${new URL(url).host}`,
          { cause: err },
        );
        waitMs = computeBackoff(attempt + 1, retryBaseMs, retryMaxMs);
      }
      if (attempt + 1 >= attempts) {
        throw new CrusoeError(
          `${failure.message} (after ${attempts} attempts)`,
          failure.status,
          failure.hint,
        );
      }
      stats.retries++;
      observeRetry("crusoe");
      if (!(await sleep(waitMs, signal))) throw new StoppedError("a Crusoe request");
    }
  }

  async function probe(): Promise<{ latencyMs: number; skewMs: number }> {
    const end = now() + (skewMs ?? 0);
    const answer = await request(buildAuditQuery({ startMs: end - 3_600_000, endMs: end }, {}, 1));
    parsePage(answer.text);
    if (skewMs === undefined)
      throw new CrusoeError("Crusoe's answer carried no Date header: cannot estimate clock skew");
    return { latencyMs: answer.latencyMs, skewMs };
  }

  return {
    pages(window) {
      const base = buildAuditQuery(window, config.filters, config.pageSize);
      return readPages(base, async (query) => {
        const started = now();
        const page = parsePage((await request(query)).text);
        stats.pages++;
        stats.entries += page.items.length;
        logger.debug(
          "crusoe page",
          fields({
            windowStart: new Date(window.startMs).toISOString(),
            items: page.items.length,
            more: page.nextToken !== "",
            durationMs: now() - started,
          }),
        );
        return page;
      });
    },
    async serverNow() {
      if (skewMs === undefined) await probe();
      return now() + (skewMs ?? 0);
    },
    probe,
    get skewMs() {
      return skewMs;
    },
    stats,
  };
}
