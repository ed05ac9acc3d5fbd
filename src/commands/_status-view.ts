// What `status` shows for one stream, `status --all` for each, and the `--check` probe's verdict.
import type { LockHolder } from "../state/lock.ts";
import type { RunStatus, StreamDescriptor } from "../state/status.ts";
import type { StateStore } from "../state/store.ts";

export interface StreamView {
  stream: string;
  checkpointMs?: number;
  last?: RunStatus;
  holder?: LockHolder;
}

export async function readView(store: StateStore): Promise<StreamView> {
  const [last, holder, checkpointMs] = await Promise.all([
    store.status.read(),
    store.locks.holder(),
    store.checkpoints.get(),
  ]);
  return { stream: store.stream, last, holder, checkpointMs };
}

export function hasState(view: StreamView): boolean {
  return view.last !== undefined || view.checkpointMs !== undefined;
}

export function lagOf(view: StreamView, nowMs: number): number | undefined {
  return view.checkpointMs === undefined
    ? undefined
    : Math.round((nowMs - view.checkpointMs) / 1000);
}

export function describeFilters(filters: StreamDescriptor["filters"]): string {
  const parts = Object.entries(filters).map(([name, values]) => `${name}=${values.join(",")}`);
  return parts.length ? parts.join("; ") : "none";
}

/** One line per stream for "other streams" and `--all`. */
export function streamSummary(view: StreamView, nowMs: number): string {
  const d = view.last?.stream;
  const what = d
    ? `org ${d.orgId}, filters ${describeFilters(d.filters)}, destination ${d.destination.trim()}`
    : "(no run has recorded its settings yet)";
  const lag = lagOf(view, nowMs);
  const checkpoint =
    view.checkpointMs === undefined
      ? "no checkpoint"
      : `checkpoint ${new Date(view.checkpointMs).toISOString()} (${lag} s behind)`;
  const last = view.last
    ? `last run ${view.last.command} ${view.last.outcome} at ${view.last.endedAt}`
    : "no run recorded";
  return `${view.stream}  ${what}; ${checkpoint}; ${last}`;
}

export const CHECK_CODES = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type CheckState = keyof typeof CHECK_CODES;

/** Nagios-style verdict: CRITICAL when the last run failed, no run ended within the lag or the
 * checkpoint is further behind than it; WARNING when the last run dead-lettered events. */
export function checkView(
  view: StreamView,
  maxLagSeconds: number,
  nowMs: number,
): { state: CheckState; line: string } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { last } = view;
  const ageSeconds = last ? Math.round((nowMs - Date.parse(last.endedAt)) / 1000) : undefined;
  const lag = lagOf(view, nowMs);
  if (!last) problems.push("no run has finished yet");
  else {
    if (last.outcome === "failed")
      problems.push(`last run failed${last.lastError ? `: ${last.lastError}` : ""}`);
    if (last.outcome === "dead-lettered")
      warnings.push(`last run dead-lettered ${last.deadLettered} event(s)`);
    if (ageSeconds !== undefined && ageSeconds > maxLagSeconds)
      problems.push(`no run finished in the last ${maxLagSeconds} s (last ${ageSeconds} s ago)`);
  }
  if (lag !== undefined && lag > maxLagSeconds)
    problems.push(`checkpoint ${lag} s behind (more than ${maxLagSeconds} s)`);
  const state: CheckState = problems.length ? "CRITICAL" : warnings.length ? "WARNING" : "OK";
  const detail = [...problems, ...warnings];
  if (!detail.length && last)
    detail.push(
      `last run ${last.command} ${last.outcome} ${ageSeconds} s ago` +
        (lag === undefined ? "" : `, checkpoint ${lag} s behind`),
    );
  const perf = [
    ageSeconds === undefined ? "" : ` age=${ageSeconds}s;;${maxLagSeconds}`,
    lag === undefined ? "" : ` lag=${lag}s;;${maxLagSeconds}`,
  ].join("");
  return {
    state,
    line: `CRUSOE-SPLUNK-HEC ${state} - stream ${view.stream}: ${detail.join("; ")}${perf ? ` |${perf}` : ""}`,
  };
}
