// GET /metrics, /healthz and /readyz on METRICS_LISTEN (node:http: runs under Bun and Deno).
import { createServer, type Server } from "node:http";
import type { DaemonMetrics } from "./registry.ts";

export interface MetricsServer {
  /** The address actually bound (port 0 picks one). */
  address: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  metrics: DaemonMetrics;
  intervalSeconds: number;
  /** False once the daemon's loop has ended (liveness). */
  alive: () => boolean;
}

export async function serveMetrics(options: ServeOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const now = Date.now();
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(options.metrics.render(now));
    } else if (path === "/healthz") {
      const alive = options.alive();
      res
        .writeHead(alive ? 200 : 503, { "content-type": "text/plain" })
        .end(alive ? "ok\n" : "stopped\n");
    } else if (path === "/readyz") {
      const readiness = options.metrics.readiness(now, options.intervalSeconds);
      res.writeHead(readiness.ready ? 200 : 503, { "content-type": "application/json" });
      res.end(`${JSON.stringify(readiness)}\n`);
    } else {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("not found: /metrics, /healthz, /readyz\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const bound = server.address();
  const address =
    bound && typeof bound === "object"
      ? `${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`
      : `${options.host}:${options.port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
