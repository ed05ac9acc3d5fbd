// HEC health without writing an event: the health endpoint (which ignores the token), then an
// empty POST to /event, which a good token answers with code 5 "No data".
import type { HecConfig } from "../config/types.ts";
import { classifyAnswer, type HecAnswer } from "./codes.ts";
import { createTransport } from "./transport.ts";

export interface HecHealth {
  ok: boolean;
  healthy: boolean;
  tokenOk: boolean;
  detail: string;
  latencyMs: number;
}

function summarize(a: HecAnswer): string {
  if (a.status === 0) return a.error ?? "no answer";
  return `HTTP ${a.status}${a.code === undefined ? "" : ` code ${a.code}`}${a.text ? ` (${a.text})` : ""}`;
}

export async function checkHecHealth(config: HecConfig): Promise<HecHealth> {
  const transport = createTransport(config);
  try {
    const started = performance.now();
    const url = config.ack ? `${transport.endpoints.health}?ack=true` : transport.endpoints.health;
    const health = await transport.get(url);
    const latencyMs = Math.round(performance.now() - started);
    // Code 17 is Splunk's "HEC is healthy"; a bare 200 may be a proxy's page.
    const healthy = health.status === 200 && health.code === 17;
    const probe = await transport.postEvents("");
    const tokenOk = probe.status === 400 && probe.code === 5;
    let tokenDetail = "token accepted";
    if (!tokenOk) {
      const verdict = classifyAnswer(probe, 0, 0, config.ack);
      tokenDetail =
        verdict.kind === "stop"
          ? `${verdict.message}${verdict.hint ? ` (${verdict.hint})` : ""}`
          : `token check answered ${summarize(probe)}`;
    }
    const notHec =
      health.status >= 200 && health.status < 300 && health.code === undefined
        ? " (not a HEC answer: a proxy in front of Splunk, or a wrong SPLUNK_HEC_URL?)"
        : "";
    const healthDetail = healthy
      ? "HEC is healthy"
      : `HEC is not healthy: ${summarize(health)}${notHec}`;
    return {
      ok: healthy && tokenOk,
      healthy,
      tokenOk,
      detail: `${healthDetail}; ${tokenDetail}`,
      latencyMs,
    };
  } finally {
    transport.close();
  }
}
