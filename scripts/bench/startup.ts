// Section 1: start-up of the compiled binary (`--help`, `--version`) and of `bun src/cli.ts`.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mb, median, ms, note, printSection, printTable, ROOT } from "./lib.ts";

export const BINARY = join(ROOT, "dist", "crusoe-splunk-hec-linux-x64");

/** Builds the x64 binary when dist/ lacks it (the bench measures what users run). */
export function ensureBinary(): string {
  if (existsSync(BINARY)) {
    warnIfStale();
    return BINARY;
  }
  note(`${BINARY} missing: building it (bun run scripts/build.ts --target bun-linux-x64)`);
  const result = Bun.spawnSync(["bun", "run", "scripts/build.ts", "--target", "bun-linux-x64"], {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!result.success || !existsSync(BINARY)) throw new Error("building the x64 binary failed");
  return BINARY;
}

let warned = false;
/** The bench measures the binary as built; say so when src/ changed since. */
function warnIfStale(): void {
  if (warned) return;
  warned = true;
  const built = statSync(BINARY).mtimeMs;
  const newer = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).filter(
    (name) => name.endsWith(".ts") && statSync(join(ROOT, "src", name)).mtimeMs > built,
  );
  if (newer.length) {
    note(`note: ${newer.length} file(s) in src/ are newer than ${BINARY.slice(ROOT.length + 1)}`);
    note("      (binary figures are for the older build; `bun run build` refreshes it)");
  }
}

export interface Timing {
  medianMs: number;
  minMs: number;
  rssBytes: number;
  /** stderr of the last run (e.g. the forward summary line). */
  lastStderr: string;
}

/**
 * Median wall time and peak RSS of `runs` runs (after 2 unmeasured warm-ups). With `env`, the
 * child sees only PATH, HOME and those variables (nothing from the caller's environment).
 */
export function timeCommand(
  cmd: string[],
  runs: number,
  opts: { cwd: string; env?: Record<string, string> },
): Timing {
  const walls: number[] = [];
  const rss: number[] = [];
  let lastStderr = "";
  const env = opts.env
    ? { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...opts.env }
    : process.env;
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const result = Bun.spawnSync(cmd, {
      cwd: opts.cwd,
      env,
      stdout: "pipe",
      stderr: "pipe",
      timeout: 30_000,
    });
    const wall = performance.now() - started;
    if (!result.success) {
      throw new Error(`${cmd.join(" ")} failed (exit ${result.exitCode}): ${result.stderr}`);
    }
    lastStderr = result.stderr.toString();
    if (i < 2) continue;
    walls.push(wall);
    rss.push(result.resourceUsage?.maxRSS ?? 0);
  }
  return { medianMs: median(walls), minMs: Math.min(...walls), rssBytes: median(rss), lastStderr };
}

export function benchStartup(binary: string): void {
  printSection("1. Startup (wall time per process, median; target: --help ~20 ms)");
  // An empty directory: no .env or bunfig.toml around, as on a user's host.
  const empty = mkdtempSync(join(tmpdir(), "csh-bench-startup-"));
  try {
    const rows: [string, Timing, string][] = [
      ["binary --help", timeCommand([binary, "--help"], 20, { cwd: empty }), "~20 ms"],
      ["binary --version", timeCommand([binary, "--version"], 20, { cwd: empty }), "~20 ms"],
      [
        "bun src/cli.ts --help",
        timeCommand(["bun", "src/cli.ts", "--help"], 10, { cwd: ROOT }),
        "(comparison)",
      ],
    ];
    printTable(
      ["command", "median", "min", "peak RSS", "target"],
      rows.map(([name, t, target]) => [name, ms(t.medianMs), ms(t.minMs), mb(t.rssBytes), target]),
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
