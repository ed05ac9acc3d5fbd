// Bench part: the whole pipeline (runOnce, forward-range) from the Crusoe emulator to the HEC
// emulator with fs state in stateDir. After limitMs it asks for a graceful stop, like SIGTERM.
// Arg: {info, stateDir, startMs, endMs, limitMs, pageSize, chunkConcurrency, hecMaxRetries?, dedup?}.
// Prints {outcome, exitCode, counts, wallMs, cpuMs, stopped, failure?}.
import { runOnce } from "../../src/pipeline/session.ts";
import { configForInfo } from "./config.ts";
import type { EmulatorInfo } from "./emulators.ts";
import { emit, readArg } from "./lib.ts";

const arg = readArg<{
  info: EmulatorInfo;
  stateDir: string;
  startMs: number;
  endMs: number;
  limitMs: number;
  pageSize: number;
  chunkConcurrency: number;
  hecMaxRetries?: number;
  /** false: DISABLE_DEDUP (a diagnostic: what the dedup state costs). */
  dedup?: boolean;
}>();
const base = configForInfo(arg.info, arg.stateDir);
const config = {
  ...base,
  crusoe: { ...base.crusoe, pageSize: arg.pageSize },
  hec: { ...base.hec, maxRetries: arg.hecMaxRetries ?? base.hec.maxRetries },
  window: {
    ...base.window,
    concurrency: arg.chunkConcurrency,
    dedupEnabled: arg.dedup ?? base.window.dedupEnabled,
  },
};
const started = performance.now();
const cpuBefore = process.cpuUsage();
let stopped = false;
// The bench's time limit stops the run the way SIGTERM would.
const stop = new AbortController();
const limit = setTimeout(() => {
  stopped = true;
  stop.abort();
}, arg.limitMs);
const report = await runOnce(
  {
    kind: "range",
    start: new Date(arg.startMs).toISOString(),
    end: new Date(arg.endMs).toISOString(),
  },
  config,
  { signal: stop.signal },
);
clearTimeout(limit);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
emit({
  outcome: report.outcome,
  exitCode: report.exitCode,
  counts: report.counts,
  failure: report.failure?.message,
  wallMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  stopped,
});
