// The daemon's figures in Prometheus' text format (0.0.4), written here: the format is a few
// lines of text, and prom-client would add its dependencies and start-up time to the binary.
import type { RunReport } from "../pipeline/run.ts";
import type { RequestObserver, RequestTarget } from "./observe.ts";

const PREFIX = "crusoe_splunk_hec";
/** Seconds: Crusoe pages and HEC batches take milliseconds to tens of seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface StreamFigures {
  fetched: number;
  delivered: number;
  duplicates: number;
  deadLettered: number;
  runs: Map<string, number>;
  lastSuccessMs?: number;
  checkpointMs?: number;
  /** Since when this instance holds the stream's lease (undefined: it does not). */
  heldSinceMs?: number;
  lastOutcome?: string;
  lastError?: string;
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface Readiness {
  ready: boolean;
  failing: Array<{ stream: string; reason: string }>;
}

export class DaemonMetrics implements RequestObserver {
  private readonly streams = new Map<string, StreamFigures>();
  private readonly durations = new Map<RequestTarget, Histogram>();
  private readonly retries = new Map<RequestTarget, number>([
    ["crusoe", 0],
    ["hec", 0],
  ]);
  private readonly startedMs = Date.now();

  constructor(names: string[]) {
    for (const name of names) this.streams.set(name, emptyFigures());
    for (const target of ["crusoe", "hec"] as const)
      this.durations.set(target, { counts: BUCKETS.map(() => 0), sum: 0, count: 0 });
  }

  request(target: RequestTarget, seconds: number): void {
    const histogram = this.durations.get(target);
    if (!histogram) return;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    });
    histogram.sum += seconds;
    histogram.count++;
  }

  retry(target: RequestTarget): void {
    this.retries.set(target, (this.retries.get(target) ?? 0) + 1);
  }

  /** After each cycle: its counts exactly (delivered = what Splunk accepted). */
  recordCycle(stream: string, report: RunReport, nowMs: number): void {
    const figures = this.figures(stream);
    figures.fetched += report.counts.fetched;
    figures.delivered += report.counts.delivered;
    figures.duplicates += report.counts.duplicates;
    figures.deadLettered += report.counts.deadLettered;
    figures.runs.set(report.outcome, (figures.runs.get(report.outcome) ?? 0) + 1);
    figures.lastOutcome = report.outcome;
    figures.lastError = report.failure?.message;
    if (report.checkpointMs !== undefined) figures.checkpointMs = report.checkpointMs;
    if (isSuccess(report.outcome)) figures.lastSuccessMs = nowMs;
  }

  setLease(stream: string, active: boolean, nowMs: number): void {
    const figures = this.figures(stream);
    figures.heldSinceMs = active ? (figures.heldSinceMs ?? nowMs) : undefined;
  }

  /** Ready when every stream held had a successful cycle within two intervals. */
  readiness(nowMs: number, intervalSeconds: number): Readiness {
    const failing: Readiness["failing"] = [];
    for (const [stream, f] of this.streams) {
      if (f.heldSinceMs === undefined) continue;
      const since = f.lastSuccessMs;
      if (since !== undefined && nowMs - since <= 2 * intervalSeconds * 1000) continue;
      const last = f.lastOutcome
        ? `last cycle ${f.lastOutcome}${f.lastError ? `: ${f.lastError}` : ""}`
        : "no cycle yet";
      const when =
        since === undefined
          ? "no successful cycle yet"
          : `no successful cycle for ${Math.round((nowMs - since) / 1000)} s`;
      failing.push({ stream, reason: `${when} (${last})` });
    }
    return { ready: failing.length === 0, failing };
  }

  render(nowMs: number): string {
    const out: string[] = [];
    const perStream = (
      name: string,
      type: "counter" | "gauge",
      help: string,
      value: (f: StreamFigures) => number | undefined,
    ) => {
      family(out, name, type, help);
      for (const [stream, f] of this.streams) {
        const v = value(f);
        if (v !== undefined) out.push(sample(name, { stream }, v));
      }
    };
    perStream(
      "events_fetched_total",
      "counter",
      "Audit-log events read from Crusoe.",
      (f) => f.fetched,
    );
    perStream(
      "events_delivered_total",
      "counter",
      "Events Splunk HEC accepted.",
      (f) => f.delivered,
    );
    perStream(
      "events_duplicate_total",
      "counter",
      "Events skipped as already delivered.",
      (f) => f.duplicates,
    );
    perStream(
      "events_dead_lettered_total",
      "counter",
      "Events Splunk rejected, written to the dead-letter file.",
      (f) => f.deadLettered,
    );
    family(out, "runs_total", "counter", "Forwarding cycles by outcome.");
    for (const [stream, f] of this.streams)
      for (const [outcome, n] of f.runs) out.push(sample("runs_total", { stream, outcome }, n));
    perStream(
      "last_success_timestamp_seconds",
      "gauge",
      "When the stream's last successful cycle ended (Unix time).",
      (f) => (f.lastSuccessMs === undefined ? undefined : f.lastSuccessMs / 1000),
    );
    perStream(
      "checkpoint_lag_seconds",
      "gauge",
      "How far the stream's checkpoint is behind now.",
      (f) => (f.checkpointMs === undefined ? undefined : (nowMs - f.checkpointMs) / 1000),
    );
    perStream("lease_active", "gauge", "1 where this instance is the stream's writer.", (f) =>
      f.heldSinceMs === undefined ? 0 : 1,
    );
    family(out, "request_duration_seconds", "histogram", "HTTP request duration by target.");
    for (const [target, h] of this.durations) {
      BUCKETS.forEach((bound, i) => {
        const le = String(bound);
        out.push(sample("request_duration_seconds_bucket", { target, le }, h.counts[i] ?? 0));
      });
      out.push(sample("request_duration_seconds_bucket", { target, le: "+Inf" }, h.count));
      out.push(sample("request_duration_seconds_sum", { target }, h.sum));
      out.push(sample("request_duration_seconds_count", { target }, h.count));
    }
    family(out, "retries_total", "counter", "Retried requests by target.");
    for (const [target, n] of this.retries) out.push(sample("retries_total", { target }, n));
    return `${out.join("\n")}\n${processFigures(this.startedMs)}`;
  }

  private figures(stream: string): StreamFigures {
    let figures = this.streams.get(stream);
    if (!figures) {
      figures = emptyFigures();
      this.streams.set(stream, figures);
    }
    return figures;
  }
}

/** A cycle that advanced the checkpoint (poison events set aside still count). */
function isSuccess(outcome: string): boolean {
  return outcome === "ok" || outcome === "dead-lettered";
}

function emptyFigures(): StreamFigures {
  return { fetched: 0, delivered: 0, duplicates: 0, deadLettered: 0, runs: new Map() };
}

function family(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} ${type}`);
}

function sample(name: string, labels: Record<string, string>, value: number): string {
  const text = Object.entries(labels)
    .map(([key, v]) => `${key}="${escapeLabel(v)}"`)
    .join(",");
  return `${PREFIX}_${name}{${text}} ${formatValue(value)}`;
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

/** The usual process_* figures (names as the official clients use them). */
function processFigures(startedMs: number): string {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const lines = [
    ["process_cpu_user_seconds_total", "counter", "User CPU time spent.", cpu.user / 1e6],
    ["process_cpu_system_seconds_total", "counter", "System CPU time spent.", cpu.system / 1e6],
    [
      "process_cpu_seconds_total",
      "counter",
      "Total CPU time spent.",
      (cpu.user + cpu.system) / 1e6,
    ],
    ["process_resident_memory_bytes", "gauge", "Resident memory size.", memory.rss],
    ["process_heap_bytes", "gauge", "Heap size in use.", memory.heapUsed],
    [
      "process_start_time_seconds",
      "gauge",
      "Start time since the Unix epoch.",
      Math.floor(startedMs / 1000),
    ],
  ] as const;
  return lines
    .map(
      ([name, type, help, value]) =>
        `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`,
    )
    .join("\n")
    .concat("\n");
}
