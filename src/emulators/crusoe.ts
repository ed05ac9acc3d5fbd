// A Crusoe audit-log API on loopback (node:http, so it runs under Bun and Deno): verifies
// signatures like the server, pages with opaque `+/=` tokens, filters, and injects faults.
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AuditLogEntry, listField, parseRfc3339 } from "../crusoe/entry.ts";
import { canonicalQuery, createSigner, parseWireQuery, signedPath } from "../crusoe/sign.ts";

export interface CrusoeEmulatorOptions {
  entries?: AuditLogEntry[];
  orgId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Accept this legacy unsigned `Bearer <token>` too (CRUSOE_API_TOKEN compatibility). */
  apiToken?: string;
  /** Reject an X-Crusoe-Timestamp further than this from the server's clock (default 300). */
  maxSkewSeconds?: number;
  /** The server's clock (Date header, staleness check) = real now + this. */
  dateSkewMs?: number;
  defaultPageSize?: number;
  maxPageSize?: number;
}
export type CrusoeFault =
  | { status: 500 | 502 | 503 }
  | { status: 429; retryAfter: string }
  | { malformedJson: true }
  | { repeatToken: true }
  /** The next page starts with the previous page's last item again (a server repeating an item). */
  | { repeatLastItem: true }
  /** An empty page with a fresh next_page_token (a server that pages forever). */
  | { emptyPage: true }
  /** Never answer (until the client gives up or the emulator closes). */
  | { hang: true }
  | { status: 401 | 403 | 404 };
export interface EmulatorRequest {
  path: string;
  query: string;
  status: number;
  timestamp?: string;
  /** The signature part of the Authorization header (to assert each attempt is signed afresh). */
  signature?: string;
}
export interface CrusoeEmulator {
  url: string;
  baseUrl: string;
  orgId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** visibleAfterMs: the entries are served only that many ms from now (late-arriving events). */
  addEntries(entries: AuditLogEntry[], opts?: { visibleAfterMs?: number }): void;
  /** The next `times` (default 1) matching answers are this fault. */
  fail(fault: CrusoeFault, times?: number): void;
  requests: EmulatorRequest[];
  close(): Promise<void>;
}

interface Stored {
  timeMs: number;
  seq: number;
  visibleAt: number;
  /** Only the serialised entry is kept: a million parsed objects made every collection in the
   * emulator's process walk gigabytes, and that CPU showed up in the forwarder's benchmark. */
  json: string;
}

const FILTERS: Record<string, (e: AuditLogEntry) => string[]> = {
  project_ids: (e) => [String(e.project_id)],
  actions: (e) => [String(e.action)],
  actor_ids: (e) => [String(e.actor_id)],
  actor_emails: (e) => [String(e.actor_email)],
  actor_types: (e) => [String(e.actor_type)],
  target_ids: (e) => listField(e, "target_ids"),
  target_types: (e) => [String(e.target_type)],
  target_names: (e) => listField(e, "target_names"),
  locations: (e) => listField(e, "locations"),
  results: (e) => [String(e.result)],
  results_not: (e) => [String(e.result)],
  surfaces: (e) => [String(e.surface)],
};
const PARAMS = new Set([
  "start_time",
  "end_time",
  "limit",
  "next_token",
  "prev_token",
  ...Object.keys(FILTERS),
]);
const MESSAGES: Record<number, string> = {
  400: "bad_request",
  401: "bad_credential",
  403: "unauthorized",
  404: "not_found",
  429: "too_many_requests",
  500: "internal_error",
  502: "bad_gateway",
  503: "service_unavailable",
};

// Token: 6 fixed bytes that encode as "++++////", then version, cursor (time, seq) and a hash of
// the query it belongs to; 23 bytes, so base64 ends in "=". Clients must carry it verbatim.
const TOKEN_MAGIC = [0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 1];
function encodeToken(timeMs: number, seq: number, queryHash: number): string {
  const bytes = new Uint8Array(23);
  bytes.set(TOKEN_MAGIC);
  const view = new DataView(bytes.buffer);
  view.setFloat64(7, timeMs);
  view.setUint32(15, seq);
  view.setUint32(19, queryHash);
  return Buffer.from(bytes).toString("base64");
}
function decodeToken(
  token: string,
): { timeMs: number; seq: number; queryHash: number } | undefined {
  // Buffer.from ignores junk such as a space (a bare `+` decoded as space): check the alphabet.
  if (token.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, "base64");
  if (bytes.length !== 23 || TOKEN_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return { timeMs: view.getFloat64(7), seq: view.getUint32(15), queryHash: view.getUint32(19) };
}
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const timeOf = (v: unknown) => (typeof v === "string" ? parseRfc3339(v) : undefined);
const before = (a: Stored, timeMs: number, seq: number) =>
  a.timeMs < timeMs || (a.timeMs === timeMs && a.seq < seq);

export async function startCrusoeEmulator(
  options: CrusoeEmulatorOptions = {},
): Promise<CrusoeEmulator> {
  const orgId = options.orgId ?? "0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192";
  const accessKeyId = options.accessKeyId ?? "TESTKEYID0123456789abc";
  const secretAccessKey = options.secretAccessKey ?? "AAECAwQFBgcICQoLDA0ODw";
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
  const dateSkewMs = options.dateSkewMs ?? 0;
  const maxPageSize = options.maxPageSize ?? 1000;
  const sign = await createSigner(accessKeyId, secretAccessKey);
  // Sorted by (start_time, insertion seq): a stable cursor even when late entries are inserted.
  let store: Stored[] = [];
  let nextSeq = 0;
  const faults: { fault: CrusoeFault; times: number }[] = [];
  const requests: EmulatorRequest[] = [];
  // Tokens of injected empty pages → the real token they stand for ("" = the first page).
  const fakeTokens = new Map<string, string>();
  let fakeSeq = 0;

  function addEntries(entries: AuditLogEntry[], opts: { visibleAfterMs?: number } = {}): void {
    const visibleAt = Date.now() + (opts.visibleAfterMs ?? 0);
    for (const entry of entries) {
      // No parseable start_time (the client must count those): indexed by end_time, else by
      // the time it was added, so a window around "now" still serves it.
      const timeMs = timeOf(entry.start_time) ?? timeOf(entry.end_time) ?? visibleAt;
      store.push({ timeMs, seq: nextSeq++, visibleAt, json: JSON.stringify(entry) });
    }
    store = store.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
  }

  /** Index of the first stored entry not before (timeMs, seq). */
  function lowerBound(timeMs: number, seq: number): number {
    let lo = 0;
    let hi = store.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(store[mid] as Stored, timeMs, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function takeFault(pred: (f: CrusoeFault) => boolean): CrusoeFault | undefined {
    const slot = faults[0];
    if (!slot || !pred(slot.fault)) return undefined;
    if (--slot.times <= 0) faults.shift();
    return slot.fault;
  }

  async function verify(
    req: IncomingMessage,
    path: string,
    rawQuery: string,
    canonical: string,
  ): Promise<boolean> {
    const auth = req.headers.authorization ?? "";
    if (options.apiToken && auth === `Bearer ${options.apiToken}`) return true;
    const m = /^Bearer 1\.0:([^:]+):([A-Za-z0-9_-]+)$/.exec(auth);
    const timestamp = req.headers["x-crusoe-timestamp"];
    if (!m || m[1] !== accessKeyId || typeof timestamp !== "string") return false;
    const at = parseRfc3339(timestamp);
    if (at === undefined || Math.abs(Date.now() + dateSkewMs - at) > maxSkewMs) return false;
    // The official client puts the canonical query on the wire; anything else is refused.
    if (rawQuery !== canonical) return false;
    const expected = await sign({
      method: req.method ?? "GET",
      path: signedPath(path),
      query: parseWireQuery(rawQuery),
      timestamp,
    });
    return expected.authorization === auth;
  }

  function readPage(
    params: Map<string, string>,
    res: ServerResponse,
    emptyPage = false,
  ): [number, string] {
    const bad = (message: string): [number, string] => [
      400,
      JSON.stringify({ code: "400", message }),
    ];
    for (const key of params.keys())
      if (!PARAMS.has(key)) return bad(`bad_request: unknown parameter ${key}`);
    const lo = params.has("start_time")
      ? parseRfc3339(params.get("start_time") as string)
      : Number.MIN_SAFE_INTEGER;
    const hi = params.has("end_time")
      ? parseRfc3339(params.get("end_time") as string)
      : Number.MAX_SAFE_INTEGER;
    if (lo === undefined || hi === undefined) return bad("bad_request: invalid time");
    const limitText = params.get("limit");
    const limit = limitText === undefined ? (options.defaultPageSize ?? 100) : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) return bad("bad_request: invalid limit");
    const filters = [...params]
      .filter(([k]) => k in FILTERS)
      .map(([k, v]) => [k, new Set(v.split(","))] as const);
    const queryHash = hashText(canonicalQuery([...params].filter(([k]) => !k.endsWith("_token"))));
    const sent = params.get("next_token");
    const incoming = sent !== undefined && fakeTokens.has(sent) ? fakeTokens.get(sent) : sent;
    if (emptyPage) {
      const fake = encodeToken(Math.random(), fakeSeq++, queryHash);
      fakeTokens.set(fake, incoming ?? "");
      res.setHeader("content-type", "application/json");
      return [200, `{"items":[],"next_page_token":${JSON.stringify(fake)},"prev_page_token":""}`];
    }
    // start_time in [start_time, end_time): the API leaves the bounds undocumented; half-open
    // windows tile without overlap, and the client's overlap + dedup cover a server that differs.
    // Items go out newest first (walking down from end_time) so no client can rely on order.
    let cursor = lowerBound(hi, -1);
    if (incoming) {
      const token = decodeToken(incoming);
      if (!token || token.queryHash !== queryHash) return bad("bad_request: invalid next_token");
      cursor = Math.min(cursor, lowerBound(token.timeMs, token.seq));
    }
    const now = Date.now();
    const page: Stored[] = [];
    const size = Math.min(limit, maxPageSize);
    for (let i = cursor - 1; i >= 0 && page.length < size; i--) {
      const s = store[i] as Stored;
      if (s.timeMs < lo) break;
      if (s.visibleAt > now) continue;
      const entry = filters.length ? (JSON.parse(s.json) as AuditLogEntry) : undefined;
      const ok = filters.every(([k, set]) => {
        const hit = (FILTERS[k] as (e: AuditLogEntry) => string[])(entry as AuditLogEntry).some(
          (v) => set.has(v),
        );
        return k === "results_not" ? !hit : hit;
      });
      if (ok) page.push(s);
    }
    const last = page[page.length - 1];
    let next = page.length === size && last ? encodeToken(last.timeMs, last.seq, queryHash) : "";
    if (sent && takeFault((f) => "repeatToken" in f)) next = sent;
    const token = incoming ? decodeToken(incoming) : undefined;
    if (token && takeFault((f) => "repeatLastItem" in f)) {
      const previous = store[lowerBound(token.timeMs, token.seq)];
      if (previous?.seq === token.seq) page.unshift(previous);
    }
    res.setHeader("content-type", "application/json");
    const items = page.map((s) => s.json).join(",");
    return [
      200,
      `{"items":[${items}],"next_page_token":${JSON.stringify(next)},"prev_page_token":""}`,
    ];
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<[number, string]> {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q < 0 ? raw : raw.slice(0, q);
    const rawQuery = q < 0 ? "" : raw.slice(q + 1);
    const error = (status: number): [number, string] => [
      status,
      JSON.stringify({ code: String(status), message: MESSAGES[status] }),
    ];
    const route = /\/organizations\/([^/]+)\/audit-logs$/.exec(path);
    if (!route) return error(404);
    const fault = takeFault((f) => !("repeatToken" in f) && !("repeatLastItem" in f));
    if (fault && "hang" in fault) {
      requests.push({ path, query: rawQuery, status: 0 });
      return new Promise(() => {});
    }
    if (fault && "malformedJson" in fault)
      return [200, '{"items": [{"action": "Create", "start_ti'];
    if (fault && "status" in fault) {
      if (fault.status === 429) res.setHeader("retry-after", fault.retryAfter);
      return error(fault.status);
    }
    let params: [string, string][];
    try {
      params = parseWireQuery(rawQuery);
    } catch {
      return [400, JSON.stringify({ code: "400", message: "bad_request: invalid query" })];
    }
    if (!(await verify(req, path, rawQuery, canonicalQuery(params)))) return error(401);
    if (decodeURIComponent(route[1] as string) !== orgId) return error(404);
    // A repeated key keeps its first value, like Go's url.Values.Get.
    const map = new Map<string, string>();
    for (const [k, v] of params) if (!map.has(k)) map.set(k, v);
    return readPage(map, res, fault !== undefined && "emptyPage" in fault);
  }

  const server = createServer((req, res) => {
    answer(req, res)
      .catch((): [number, string] => [
        500,
        JSON.stringify({ code: "500", message: "internal_error" }),
      ])
      .then(([status, body]) => {
        const raw = req.url ?? "/";
        const auth = /^Bearer 1\.0:[^:]+:(.+)$/.exec(req.headers.authorization ?? "");
        const timestamp = req.headers["x-crusoe-timestamp"];
        requests.push({
          path: raw.split("?")[0] as string,
          query: raw.includes("?") ? raw.slice(raw.indexOf("?") + 1) : "",
          status,
          timestamp: typeof timestamp === "string" ? timestamp : undefined,
          signature: auth?.[1],
        });
        res.statusCode = status;
        if (!res.hasHeader("content-type")) res.setHeader("content-type", "application/json");
        res.setHeader("date", new Date(Date.now() + dateSkewMs).toUTCString());
        res.end(body);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  addEntries(options.entries ?? []);
  return {
    url,
    baseUrl: `${url}/v1`,
    orgId,
    accessKeyId,
    secretAccessKey,
    addEntries,
    fail: (fault, times = 1) => void faults.push({ fault, times }),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
