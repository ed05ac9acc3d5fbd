// Section 5: end to end, Crusoe emulator -> pipeline -> HEC emulator, fs state in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorHost } from "./emulator-host.ts";
import { count, HOUR_MS, mb, note, printSection, printTable, rate, runPart, secs } from "./lib.ts";

interface E2eResult {
  outcome: string;
  exitCode: number;
  counts: { fetched: number; delivered: number; duplicates: number; deadLettered: number };
  failure?: string;
  wallMs: number;
  cpuMs: number;
  stopped: boolean;
}

/** A run longer than this is stopped gracefully and reported as partial. */
const LIMIT_MS = 180_000;

export async function benchEndToEnd(host: EmulatorHost): Promise<void> {
  printSection("5. End to end (forward-range; target >= 50k ev/s, RSS flat 100k -> 1M, < 150 MB)");
  const { info } = host;
  const rows: string[][] = [];
  const notes: string[] = [];
  const runs = [
    ["100k events", 1, true],
    ["1M events", 10, true],
    ["100k, dedup off", 1, false],
    ["1M, dedup off", 10, false],
  ] as const;
  for (const [label, hours, dedup] of runs) {
    const stateDir = mkdtempSync(join(tmpdir(), "csh-bench-e2e-"));
    try {
      const before = await host.ask("stats");
      const run = await runPart<E2eResult>(
        "e2e",
        {
          info,
          stateDir,
          startMs: info.startMs,
          endMs: info.startMs + hours * HOUR_MS,
          limitMs: LIMIT_MS,
          pageSize: 1000,
          chunkConcurrency: 4,
          dedup,
        },
        LIMIT_MS + 120_000,
      );
      const after = await host.ask("stats");
      const d = run.data;
      const accepted = after.accepted - before.accepted;
      if (d.outcome === "failed") throw new Error(`end to end ${label}: run failed: ${d.failure}`);
      if (accepted !== d.counts.delivered) {
        throw new Error(
          `end to end ${label}: delivered ${d.counts.delivered}, HEC accepted ${accepted}`,
        );
      }
      if (d.stopped) {
        notes.push(
          `${label}: stopped after ${LIMIT_MS / 1000} s (limit): figures cover the part done`,
        );
      }
      rows.push([
        `${label}${d.stopped ? " (partial)" : ""}`,
        count(d.counts.fetched),
        count(d.counts.delivered),
        secs(d.wallMs),
        rate(d.counts.delivered, d.wallMs),
        secs(d.cpuMs),
        secs(after.cpuMs - before.cpuMs),
        mb(run.maxRssBytes),
      ]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  printTable(
    ["run", "fetched", "delivered", "wall", "events/s", "CPU", "emulators CPU", "peak RSS"],
    rows,
  );
  note(
    "page size 1000, batch 100, HEC concurrency 2, 4 chunks of 1 h read ahead, gzip on, dedup on",
  );
  note("CPU = the pipeline process (user + system); emulators run in a separate process;");
  note(
    "'dedup off' rows (DISABLE_DEDUP) are diagnostics: the gap to the rows above is what dedup costs",
  );
  for (const line of notes) note(line);
}
