// Section 5: end to end, Crusoe emulator -> pipeline -> HEC emulator, fs state in a temp dir.
// Each figure is printed beside its target (issue 11); none is asserted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SETTING_BY_KEY } from "../../src/config/settings.ts";
import { type EmulatorHost, startEmulatorHost } from "./emulator-host.ts";
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
const TARGET_RATE = 100_000;
const TARGET_CPU_PER_100K_MS = 1_000;
const TARGET_RSS = 150e6;
/** CRUSOE_PAGE_SIZE's default: the figures are for what an operator runs without tuning. */
const DEFAULT_PAGE_SIZE = Number(SETTING_BY_KEY.get("pageSize")?.default);

interface Row {
  label: string;
  delivered: number;
  rssBytes: number;
  cells: string[];
}

async function measure(
  host: EmulatorHost,
  label: string,
  range: { startMs: number; endMs: number },
  dedup: boolean,
  notes: string[],
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<Row> {
  const stateDir = mkdtempSync(join(tmpdir(), "csh-bench-e2e-"));
  try {
    const before = await host.ask("stats");
    const run = await runPart<E2eResult>(
      "e2e",
      {
        info: host.info,
        stateDir,
        ...range,
        limitMs: LIMIT_MS,
        pageSize,
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
    const perHundredK = (d.cpuMs * 100_000) / Math.max(d.counts.delivered, 1);
    return {
      label,
      delivered: d.counts.delivered,
      rssBytes: run.maxRssBytes,
      cells: [
        `${label}${d.stopped ? " (partial)" : ""}`,
        count(d.counts.delivered),
        secs(d.wallMs),
        `${rate(d.counts.delivered, d.wallMs)} ${mark((d.counts.delivered * 1000) / d.wallMs >= TARGET_RATE)}`,
        `${secs(perHundredK)} ${mark(perHundredK <= TARGET_CPU_PER_100K_MS)}`,
        secs(after.cpuMs - before.cpuMs),
        `${mb(run.maxRssBytes)} ${mark(run.maxRssBytes <= TARGET_RSS)}`,
      ],
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const mark = (ok: boolean) => (ok ? "ok" : "MISS");
const HEADER = ["run", "delivered", "wall", "events/s", "CPU/100k ev", "emulators CPU", "peak RSS"];
const TARGETS = ["target", "", "", `>= ${count(TARGET_RATE)}`, "<= 1.00 s", "", "<= 150 MB"];

export async function benchEndToEnd(host: EmulatorHost): Promise<void> {
  printSection("5. End to end (forward-range, default settings, fs state)");
  const { info } = host;
  const notes: string[] = [];
  const rows: Row[] = [];
  const runs = [
    ["100k events", 1, true, DEFAULT_PAGE_SIZE],
    ["400k events", 4, true, DEFAULT_PAGE_SIZE],
    ["1M events", 10, true, DEFAULT_PAGE_SIZE],
    ["1M, page size 1000", 10, true, 1000],
    ["100k, dedup off", 1, false, DEFAULT_PAGE_SIZE],
    ["1M, dedup off", 10, false, DEFAULT_PAGE_SIZE],
  ] as const;
  for (const [label, hours, dedup, pageSize] of runs) {
    const range = { startMs: info.startMs, endMs: info.startMs + hours * HOUR_MS };
    rows.push(await measure(host, label, range, dedup, notes, pageSize));
  }
  printTable(HEADER, [TARGETS, ...rows.map((row) => row.cells)]);
  flatness(rows, "100k events", "1M events", "RSS 1M vs 100k");
  note(
    `page size ${DEFAULT_PAGE_SIZE} unless said, HEC requests cut at 1 MB (BATCH_SIZE unset), HEC concurrency 2,`,
  );
  note("4 chunks of 1 h read ahead, gzip on, dedup on unless said");
  note("CPU = the pipeline process (user + system); emulators run in a separate process;");
  note(
    "'dedup off' rows (DISABLE_DEDUP) are diagnostics: the gap to the rows above is what dedup costs",
  );
  for (const line of notes) note(line);
}

/** Memory must not follow how densely events fall in time: 400k events at 25k/h and at 400k/h. */
export async function benchDensity(): Promise<void> {
  printSection("5b. Memory vs events per hour (400k events each, forward-range, dedup on)");
  const notes: string[] = [];
  const rows: Row[] = [];
  const endMs = Math.floor((Date.now() - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  for (const [label, hours] of [
    ["25k events/hour", 16],
    ["400k events/hour", 1],
  ] as const) {
    const startMs = endMs - hours * HOUR_MS;
    const host = await startEmulatorHost({ events: 400_000, startMs, endMs });
    try {
      rows.push(await measure(host, label, { startMs, endMs }, true, notes));
    } finally {
      await host.close();
    }
  }
  printTable(HEADER, [TARGETS, ...rows.map((row) => row.cells)]);
  flatness(rows, "25k events/hour", "400k events/hour", "RSS 400k/h vs 25k/h");
  for (const line of notes) note(line);
}

function flatness(rows: Row[], small: string, large: string, what: string): void {
  const a = rows.find((row) => row.label === small);
  const b = rows.find((row) => row.label === large);
  if (!a || !b || !a.rssBytes) return;
  const change = (b.rssBytes / a.rssBytes - 1) * 100;
  note(
    `${what}: ${change >= 0 ? "+" : ""}${change.toFixed(1)} % (target within 15 %) ${mark(Math.abs(change) <= 15)}`,
  );
}
