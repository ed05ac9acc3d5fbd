// Shared by the bench orchestrator and its parts: run a part in its own process (so its peak
// RSS is its own), collect the JSON it prints, and format figures as aligned tables.
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BENCH_DIR = import.meta.dirname;
export const HOUR_MS = 3_600_000;

export interface ChildRun<T> {
  data: T;
  wallMs: number;
  /** Peak resident set of the child process, bytes (from the kernel's rusage). */
  maxRssBytes: number;
  /** User + system CPU of the child, ms. */
  cpuMs: number;
}

/** Runs a command to completion (killed after timeoutMs) and parses the last stdout line as JSON. */
export async function runChild<T>(
  cmd: string[],
  opts: { timeoutMs: number; cwd?: string; env?: Record<string, string> },
): Promise<ChildRun<T>> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  const code = await proc.exited;
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const usage = proc.resourceUsage();
  const last = out.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    const why = proc.signalCode
      ? `killed (${proc.signalCode}, limit ${opts.timeoutMs} ms)`
      : `exit ${code}`;
    throw new Error(`${cmd.slice(0, 3).join(" ")}: ${why}\n${err.trim().slice(-2000)}`);
  }
  return {
    data: JSON.parse(last) as T,
    wallMs,
    maxRssBytes: usage?.maxRSS ?? 0,
    cpuMs: Number(usage?.cpuTime.total ?? 0n) / 1000,
  };
}

/** Runs scripts/bench/<part>.ts with one JSON argument. */
export function runPart<T>(part: string, arg: unknown, timeoutMs: number): Promise<ChildRun<T>> {
  return runChild<T>(["bun", join(BENCH_DIR, `${part}.ts`), JSON.stringify(arg)], { timeoutMs });
}

/** Child side: the JSON argument the parent passed. */
export function readArg<T>(): T {
  return JSON.parse(process.argv[2] ?? "{}") as T;
}

/** Child side: the result, as the last line on stdout. */
export function emit(data: unknown): void {
  process.stdout.write(`\n${JSON.stringify(data)}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
export const secs = (valueMs: number) => `${(valueMs / 1000).toFixed(2)} s`;
export const count = (n: number) => Math.round(n).toLocaleString("en-US");
export const rate = (n: number, wallMs: number, unit = "ev/s") =>
  `${count((n * 1000) / Math.max(wallMs, 0.001))} ${unit}`;

/** Prints rows as columns: the first column left-aligned, the others right-aligned. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join("  ")
      .trimEnd();
  console.log(`  ${line(header)}`);
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

export function printSection(title: string): void {
  console.log(`\n== ${title} ${"=".repeat(Math.max(3, 76 - title.length))}`);
}

export function note(text: string): void {
  console.log(`  ${text}`);
}
