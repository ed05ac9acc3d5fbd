// Users paste any of https://host:8088, .../services/collector or .../services/collector/event.
import { UsageError } from "../errors.ts";

export interface HecEndpoints {
  event: string;
  ack: string;
  health: string;
}

export function hecEndpoints(url: string): HecEndpoints {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError(
      "SPLUNK_HEC_URL is not a valid URL",
      "e.g. https://splunk.example.com:8088",
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError("SPLUNK_HEC_URL must start with https:// or http://");
  }
  // Anything from /services/collector on names an endpoint, not the base (a proxy prefix before
  // it is kept). The query is dropped: a ?token= there would end up in logs.
  const path = parsed.pathname.replace(/\/+$/, "");
  const at = path.indexOf("/services/collector");
  const base = `${parsed.origin}${at >= 0 ? path.slice(0, at) : path}/services/collector`;
  return { event: `${base}/event`, ack: `${base}/ack`, health: `${base}/health` };
}
