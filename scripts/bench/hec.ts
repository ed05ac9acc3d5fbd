// Section 3: the HEC sink into the emulator (throughput), and the pipeline's memory while HEC
// refuses everything with a large backlog waiting in Crusoe.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorHost } from "./emulator-host.ts";
import { count, HOUR_MS, mb, note, printSection, printTable, rate, runPart, secs } from "./lib.ts";

interface SendResult {
  events: number;
  delivered: number;
  failed: number;
  wallMs: number;
  lineBytes: number;
}

interface E2eResult {
  outcome: string;
  exitCode: number;
  counts: { fetched: number; delivered: number; retries: number };
  failure?: string;
  wallMs: number;
}

export async function benchHecSend(host: EmulatorHost): Promise<void> {
  printSection(
    "3. HEC send (emulator; requests cut at 1 MB, concurrency 2; target >= 100k ev/s with gzip)",
  );
  const rows: string[][] = [];
  for (const gzip of [true, false]) {
    const before = await host.ask("stats");
    const run = await runPart<SendResult>(
      "hec-send",
      // The defaults: BATCH_SIZE 10,000 as the cap; the sink cuts each batch into ~1 MB requests.
      { info: host.info, events: 100_000, batchSize: 10_000, concurrency: 2, gzip },
      300_000,
    );
    const after = await host.ask("stats");
    const { delivered, wallMs, lineBytes, failed } = run.data;
    if (failed || after.accepted - before.accepted !== delivered) {
      throw new Error(
        `HEC send: ${delivered} delivered, emulator accepted ${after.accepted - before.accepted}, ${failed} failed batches`,
      );
    }
    const wire = after.wireBytes - before.wireBytes;
    rows.push([
      gzip ? "gzip on" : "gzip off",
      count(delivered),
      secs(wallMs),
      rate(delivered, wallMs),
      `${(((lineBytes / wallMs) * 1000) / 1e6).toFixed(1)} MB/s`,
      `${(((wire / wallMs) * 1000) / 1e6).toFixed(1)} MB/s`,
      secs(run.cpuMs),
      secs(after.cpuMs - before.cpuMs),
      mb(run.maxRssBytes),
    ]);
  }
  printTable(
    [
      "100k envelopes",
      "delivered",
      "wall",
      "envelopes/s",
      "NDJSON",
      "on the wire",
      "CPU",
      "emulator CPU",
      "peak RSS",
    ],
    rows,
  );
  note(
    "envelopes pre-built from 2,000 typical audit entries (~800 B each); sink in its own process",
  );
  await benchRefusing(host);
}

async function benchRefusing(host: EmulatorHost): Promise<void> {
  const { info } = host;
  const rows: string[][] = [];
  await host.ask("down");
  try {
    for (const [label, hours] of [
      ["100k", 1],
      ["1M", 10],
    ] as const) {
      const stateDir = mkdtempSync(join(tmpdir(), "csh-bench-refuse-"));
      try {
        const run = await runPart<E2eResult>(
          "e2e",
          {
            info,
            stateDir,
            startMs: info.startMs,
            endMs: info.startMs + hours * HOUR_MS,
            limitMs: 60_000,
            pageSize: 1000,
            chunkConcurrency: 4,
            hecMaxRetries: 2,
          },
          120_000,
        );
        const d = run.data;
        if (d.counts.delivered !== 0) throw new Error("HEC was down, yet events were delivered");
        rows.push([
          `backlog ${label} events`,
          `${d.outcome} (exit ${d.exitCode})`,
          count(d.counts.fetched),
          count(d.counts.retries),
          secs(d.wallMs),
          mb(run.maxRssBytes),
        ]);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    }
  } finally {
    await host.ask("up");
  }
  console.log("");
  printTable(["HEC refusing (503 code 9)", "run", "fetched", "retries", "wall", "peak RSS"], rows);
  note("pipeline run (forward-range, MAX_RETRIES=2): it stops reading when HEC refuses;");
  note("peak RSS must not grow with the backlog (target: bounded, same for 100k and 1M)");
}
