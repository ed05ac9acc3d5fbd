// The one place that knows runtime-specific fetch options (TLS, connection pool). Everything
// else stays on web-standard fetch so the core runs under Deno too.
import { readFileSync } from "node:fs";
import type { HecTlsConfig } from "../config/types.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpClient {
  fetch: FetchLike;
  /** Drops idle keep-alive connections so the next requests open new ones (rebalancing). */
  recycle(): void;
  close(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: runtime globals are probed, not typed
const runtime = globalThis as any;

function readPem(path: string | undefined): string | undefined {
  return path ? readFileSync(path, "utf8") : undefined;
}

export function createHttpClient(tls: HecTlsConfig): HttpClient {
  const ca = readPem(tls.caFile);
  const cert = readPem(tls.certFile);
  const key = readPem(tls.keyFile);
  if (runtime.Bun?.FetchSession) {
    const options = {
      rejectUnauthorized: tls.verify,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(tls.serverName ? { serverName: tls.serverName } : {}),
    };
    const session = new runtime.Bun.FetchSession({ tls: options });
    return { fetch: session.fetch, recycle: () => session.close(), close: () => session.close() };
  }
  if (runtime.Deno?.createHttpClient && (ca || cert)) {
    // Deno has no per-client "skip verification" nor server-name override: those need
    // --unsafely-ignore-certificate-errors on the command line.
    const client = runtime.Deno.createHttpClient({ caCerts: ca ? [ca] : undefined, cert, key });
    return {
      fetch: (url, init) => fetch(url, { ...init, client } as RequestInit),
      recycle: () => {},
      close: () => client.close(),
    };
  }
  return { fetch: (url, init) => fetch(url, init), recycle: () => {}, close: () => {} };
}
