// A Splunk HEC emulator on loopback (node:http, so it runs under Deno too) for tests, selftest and
// the bench. Strict like Splunk (docs/splunk-hec.md): concatenated JSON objects, prefix semantics
// for invalid-event-number (code 7 counts one past the bad object), silent drop after an unknown
// top-level key, gzip yes / deflate 415, 413 over the limit, auth codes, channels, acks that are
// forgotten once answered true, and injectable faults.
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface HecEmulatorOptions {
  token?: string;
  /** Largest decoded body accepted (default 1,000,000 bytes); more gets 413. */
  maxContentLength?: number;
  ack?: boolean;
  ackDelayMs?: number;
  /** When set, an envelope whose index (default "main") is not listed gets code 7. */
  allowedIndexes?: string[];
  disabledToken?: string;
  /** A sticky load balancer: /ack without the channel's cookie reaches an indexer that knows nothing. */
  requireCookie?: boolean;
  /** false: count accepted envelopes without keeping them (bench runs of millions). */
  keepAccepted?: boolean;
  /** Answer an oversized body like Splunk Cloud (400 code 6 at event 0) instead of 413. */
  oversizeAsCode6?: boolean;
  /** Something other than HEC answering every request with 200 and this page (a wrong URL). */
  proxyPage?: string;
  /** Serve HTTPS with this certificate (PEM); `ca` + requestCert demand a client certificate. */
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
}

export type HecFault =
  /** Index the body, then answer 200 with "queue/ack nearly full". */
  | { status: 200; code: 24 | 25 }
  /** A 200 carrying a HEC error code (a busy indexer, or a proxy rewriting the status): not indexed. */
  | { status: 200; code: 7 | 8 | 9 | 23 | 26 | 27 }
  /** A 2xx whose body is not HEC JSON (a proxy's page, an empty body, JSON without a code). */
  | { status: 200 | 204; body: string }
  | { status: 503; code: 9 | 23; invalidEventNumber?: number }
  /** The whole body refused with a position that is no position (negative, out of range). */
  | { status: 400; code: 6; invalidEventNumber: number }
  | { status: 429; code: 26 | 27; retryAfter?: string }
  | { status: 500; code: 8 }
  | { status: 408 | 502 | 504 }
  | { slowMs: number }
  | { status: 401 | 403; code: 1 | 2 | 3 | 4 }
  | { status: 400; code: 5 | 10 | 11 | 14 | 16 | 28 }
  | { status: 404 | 405 | 415 }
  | { reset: true }
  | { loseAckPoll: true };

export interface HecRequestRecord {
  path: string;
  /** "?ack=true" and the like; "" when none. */
  query: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  code?: number;
  headers: Record<string, string | undefined>;
  /** Decoded body bytes, and bytes on the wire. */
  bytes?: number;
  wireBytes?: number;
  /** Client port: a new one means a new connection. */
  remotePort?: number;
}

export interface HecEmulator {
  url: string;
  token: string;
  accepted: Array<Record<string, unknown>>;
  /** Envelopes indexed so far (also when keepAccepted is false). */
  readonly acceptedCount: number;
  /** Most requests that were open at the same time. */
  readonly peakConcurrency: number;
  requests: HecRequestRecord[];
  fail(fault: HecFault, times?: number): void;
  poisonWhen(pred: Poison): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** `invalidEventNumber` overrides the position Splunk would name; the body is then refused whole. */
type Poison = (
  envelope: Record<string, unknown>,
) => { code: 6 | 12 | 13 | 15; invalidEventNumber?: number } | undefined;
type Reply = {
  status: number;
  body?: Record<string, unknown> | string;
  headers?: Record<string, string>;
};

const ALLOWED_KEYS = new Set(["time", "host", "source", "sourcetype", "index", "fields", "event"]);
const EVENT_PATHS = new Set([
  "/services/collector",
  "/services/collector/event",
  "/services/collector/event/1.0",
]);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXTS: Record<number, string> = {
  0: "Success",
  1: "Token disabled",
  2: "Token is required",
  3: "Invalid authorization",
  4: "Invalid token",
  5: "No data",
  6: "Invalid data format",
  7: "Incorrect index",
  8: "Internal server error",
  9: "Server is busy",
  10: "Data channel is missing",
  11: "Invalid data channel",
  12: "Event field is required",
  13: "Event field cannot be blank",
  14: "ACK is disabled",
  15: "Error in handling indexed fields",
  16: "Query string authorization is not enabled",
  17: "HEC is healthy",
  18: "HEC is unhealthy, queues are full",
  23: "Server is shutting down",
  26: "Server is busy, queue is full",
  27: "Server is busy, ack channel is full",
  28: "Data channel is missing",
};

const hecReply = (status: number, code: number, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { text: TEXTS[code] ?? "Error", code, ...extra },
});

export async function startHecEmulator(options: HecEmulatorOptions = {}): Promise<HecEmulator> {
  const token = options.token ?? randomUUID();
  const maxContentLength = options.maxContentLength ?? 1_000_000;
  const accepted: Array<Record<string, unknown>> = [];
  const requests: HecRequestRecord[] = [];
  const faults: HecFault[] = [];
  let lostPolls = 0;
  let acceptedCount = 0;
  let active = 0;
  let peakConcurrency = 0;
  let poison: Poison | undefined;
  let down = false;
  const channels = new Map<string, { nextId: number; acks: Map<number, number>; cookie: string }>();

  const channelState = (id: string) => {
    let ch = channels.get(id);
    if (!ch) {
      ch = { nextId: 0, acks: new Map(), cookie: `AWSALB=${randomUUID()}` };
      channels.set(id, ch);
    }
    return ch;
  };

  function checkAuth(header: string | undefined): Reply | undefined {
    if (!header) return hecReply(401, 2);
    const m = /^Splunk (\S+)$/.exec(header);
    if (!m) return hecReply(401, 3);
    if (options.disabledToken && m[1] === options.disabledToken) return hecReply(403, 1);
    return m[1] === token ? undefined : hecReply(403, 4);
  }

  function readChannel(req: http.IncomingMessage, url: URL): { id?: string; reply?: Reply } {
    const id =
      (req.headers["x-splunk-request-channel"] as string | undefined) ??
      url.searchParams.get("channel") ??
      undefined;
    if (id === undefined) return options.ack ? { reply: hecReply(400, 10) } : {};
    return GUID.test(id) ? { id } : { reply: hecReply(400, 11) };
  }

  function faultReply(fault: HecFault): Reply | undefined {
    if (!("status" in fault)) return undefined;
    if ("body" in fault) return { status: fault.status, body: fault.body };
    if (fault.status === 429) {
      return {
        ...hecReply(429, fault.code),
        headers: fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {},
      };
    }
    if ("code" in fault) return hecReply(fault.status, fault.code);
    if (fault.status === 408 || fault.status === 502 || fault.status === 504) {
      return {
        status: fault.status,
        body: `<html><body>${fault.status} from the load balancer</body></html>`,
      };
    }
    return { status: fault.status, body: { text: `HTTP ${fault.status}`, code: fault.status } };
  }

  /** Indexes objects in order; returns the answer Splunk would give for this body. */
  function indexBody(text: string, stopAt = Number.POSITIVE_INFINITY): Reply | undefined {
    let pos = 0;
    const [keptBefore, countBefore] = [accepted.length, acceptedCount];
    for (let i = 0; i < stopAt; i++) {
      while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
      if (pos >= text.length) return undefined;
      let { obj, end } = parseLine(text, pos);
      if (end < 0) {
        // Not one object per line: scan for where this object closes.
        end = findObjectEnd(text, pos);
        try {
          obj = end < 0 ? undefined : JSON.parse(text.slice(pos, end));
        } catch {}
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
        return hecReply(400, 6, { "invalid-event-number": i });
      }
      const env = obj as Record<string, unknown>;
      // Splunk's silent drop: this object and every one after it vanish, and it still says 200.
      if (Object.keys(env).some((k) => !ALLOWED_KEYS.has(k))) return undefined;
      const poisoned = validate(env) === undefined ? poison?.(env) : undefined;
      if (poisoned?.invalidEventNumber !== undefined) {
        // No usable position: nothing of this body is indexed (a proxy refusing it whole).
        accepted.length = keptBefore;
        acceptedCount = countBefore;
        return hecReply(400, poisoned.code, {
          "invalid-event-number": poisoned.invalidEventNumber,
        });
      }
      const code = validate(env) ?? poisoned?.code;
      if (code === 7) return hecReply(400, 7, { "invalid-event-number": i + 1 });
      if (code !== undefined) return hecReply(400, code, { "invalid-event-number": i });
      acceptedCount++;
      if (options.keepAccepted !== false) accepted.push(env);
      pos = end;
    }
    return undefined;
  }

  function validate(env: Record<string, unknown>): number | undefined {
    if (env.event === undefined || env.event === null) return 12;
    if (typeof env.event === "string" && env.event.trim() === "") return 13;
    if (
      env.time !== undefined &&
      typeof env.time !== "number" &&
      !(typeof env.time === "string" && env.time.trim() !== "" && !Number.isNaN(Number(env.time)))
    )
      return 6;
    if (env.fields !== undefined) {
      if (typeof env.fields !== "object" || env.fields === null || Array.isArray(env.fields))
        return 15;
      for (const v of Object.values(env.fields)) {
        const flat = (x: unknown) => typeof x === "string" || typeof x === "number";
        if (!(flat(v) || (Array.isArray(v) && v.every(flat)))) return 15;
      }
    }
    for (const k of ["host", "source", "sourcetype", "index"]) {
      if (env[k] !== undefined && typeof env[k] !== "string") return 6;
    }
    if (
      options.allowedIndexes &&
      !options.allowedIndexes.includes((env.index as string | undefined) ?? "main")
    )
      return 7;
    return undefined;
  }

  async function handleEvent(
    req: http.IncomingMessage,
    url: URL,
    raw: Buffer,
    rec: HecRequestRecord,
  ): Promise<Reply | "drop"> {
    const fault = faults.shift();
    if (fault && "reset" in fault) return "drop";
    if (fault && "slowMs" in fault) {
      await new Promise((r) => setTimeout(r, fault.slowMs));
      // The client gave up meanwhile: as if the indexer never took the data.
      if (req.socket.destroyed) return "drop";
    }
    // Faults that answer after indexing (a prefix, or the whole body) go through the checks.
    const late =
      fault &&
      "status" in fault &&
      (("code" in fault && (fault.code === 24 || fault.code === 25)) ||
        "invalidEventNumber" in fault)
        ? fault
        : undefined;
    const injected = fault && !late ? faultReply(fault) : undefined;
    if (injected) return injected;
    if (down) return hecReply(503, 9);
    const auth = checkAuth(req.headers.authorization);
    if (auth) return auth;
    const channel = readChannel(req, url);
    if (channel.reply) return channel.reply;
    const encoding = (req.headers["content-encoding"] ?? "").toLowerCase();
    if (encoding !== "" && encoding !== "gzip" && encoding !== "identity")
      return { status: 415, body: { text: "Unsupported Media Type" } };
    let body: Buffer;
    try {
      body = encoding === "gzip" ? gunzipSync(raw) : raw;
    } catch {
      return hecReply(400, 6, { "invalid-event-number": 0 });
    }
    rec.bytes = body.length;
    if (body.length > maxContentLength) {
      if (options.oversizeAsCode6) return hecReply(400, 6, { "invalid-event-number": 0 });
      return {
        status: 413,
        body: {
          text: `Content-Length of ${body.length} too large (maximum is ${maxContentLength})`,
        },
      };
    }
    const text = body.toString("utf8");
    if (text.trim() === "") return hecReply(400, 5);
    if (late && "invalidEventNumber" in late && late.invalidEventNumber !== undefined) {
      // A busy indexer that took a prefix of the body before refusing the rest; a 400 with a
      // position that is no position took nothing.
      if (late.status === 503) indexBody(text, late.invalidEventNumber);
      return hecReply(late.status, late.code, { "invalid-event-number": late.invalidEventNumber });
    }
    const failed = indexBody(text);
    if (failed) return failed;
    const code = late?.status === 200 && "code" in late ? late.code : 0;
    if (!options.ack || !channel.id) return hecReply(200, code);
    const ch = channelState(channel.id);
    const ackId = ch.nextId++;
    ch.acks.set(ackId, Date.now() + (options.ackDelayMs ?? 0));
    return hecReply(200, code, { ackId });
  }

  function handleAck(req: http.IncomingMessage, url: URL, raw: Buffer): Reply | "drop" {
    const auth = checkAuth(req.headers.authorization);
    if (auth) return auth;
    if (!options.ack) return hecReply(400, 14);
    const channel = readChannel(req, url);
    if (channel.reply || !channel.id) return channel.reply ?? hecReply(400, 10);
    let ids: unknown;
    try {
      ids = JSON.parse(raw.toString("utf8")).acks;
    } catch {}
    if (!Array.isArray(ids)) return hecReply(400, 6);
    const ch = channelState(channel.id);
    const sticky = !options.requireCookie || (req.headers.cookie ?? "").includes(ch.cookie);
    const acks: Record<string, boolean> = {};
    for (const id of ids) {
      const readyAt = sticky ? ch.acks.get(Number(id)) : undefined;
      acks[String(id)] = readyAt !== undefined && readyAt <= Date.now();
      // Splunk forgets an id once it has answered true.
      if (acks[String(id)]) ch.acks.delete(Number(id));
    }
    if (lostPolls > 0) {
      lostPolls--;
      return "drop";
    }
    return { status: 200, body: { acks } };
  }

  async function route(
    req: http.IncomingMessage,
    url: URL,
    raw: Buffer,
    rec: HecRequestRecord,
  ): Promise<Reply | "drop"> {
    const path = url.pathname.replace(/\/+$/, "");
    if (options.proxyPage !== undefined) return { status: 200, body: options.proxyPage };
    if (path === "/services/collector/health" || path === "/services/collector/health/1.0") {
      return down ? hecReply(503, 18) : hecReply(200, 17);
    }
    if (EVENT_PATHS.has(path))
      return req.method === "POST"
        ? handleEvent(req, url, raw, rec)
        : { status: 405, body: { text: "Method Not Allowed" } };
    if (path === "/services/collector/ack")
      return req.method === "POST"
        ? handleAck(req, url, raw)
        : { status: 405, body: { text: "Method Not Allowed" } };
    return {
      status: 404,
      body: { text: "The requested URL was not found on this server.", code: 404 },
    };
  }

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = Buffer.concat(chunks);
      const rec: HecRequestRecord = {
        path: url.pathname,
        query: url.search,
        status: 0,
        headers: pickHeaders(req),
        wireBytes: raw.length,
        remotePort: req.socket.remotePort,
      };
      requests.push(rec);
      active++;
      peakConcurrency = Math.max(peakConcurrency, active);
      const reply = await route(req, url, raw, rec).finally(() => active--);
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      rec.status = reply.status;
      if (typeof reply.body === "object" && typeof reply.body.code === "number")
        rec.code = reply.body.code;
      const headers: Record<string, string> = { ...reply.headers };
      const html = typeof reply.body === "string" && !reply.body.startsWith("{");
      headers["Content-Type"] = html ? "text/html" : "application/json";
      const channelId = req.headers["x-splunk-request-channel"];
      if (options.requireCookie && typeof channelId === "string" && GUID.test(channelId)) {
        headers["Set-Cookie"] = `${channelState(channelId).cookie}; Path=/`;
      }
      res.writeHead(reply.status, headers);
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}));
    });
  };
  const t = options.tls;
  const server = t
    ? https.createServer({ ...t, rejectUnauthorized: t.requestCert === true }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${t ? "https" : "http"}://127.0.0.1:${port}`,
    token,
    accepted,
    get acceptedCount() {
      return acceptedCount;
    },
    get peakConcurrency() {
      return peakConcurrency;
    },
    requests,
    fail(fault, times = 1) {
      if ("loseAckPoll" in fault) lostPolls += times;
      else for (let i = 0; i < times; i++) faults.push(fault);
    },
    poisonWhen(pred) {
      poison = pred;
    },
    setDown(value) {
      down = value;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function pickHeaders(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of [
    "authorization",
    "x-splunk-request-channel",
    "cookie",
    "content-encoding",
    "content-type",
    "connection",
  ]) {
    const v = req.headers[name];
    out[name] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Fast path for NDJSON: the object that fills the line at `pos`, or end −1 when it doesn't. */
function parseLine(text: string, pos: number): { obj?: unknown; end: number } {
  const nl = text.indexOf("\n", pos);
  const end = nl < 0 ? text.length : nl;
  try {
    const obj = JSON.parse(text.slice(pos, end));
    if (text[pos] === "{") return { obj, end };
  } catch {}
  return { end: -1 };
}

/** Index just past the JSON object starting at `start` ("{"), or −1 if it never closes. */
function findObjectEnd(text: string, start: number): number {
  if (text[start] !== "{") return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}
