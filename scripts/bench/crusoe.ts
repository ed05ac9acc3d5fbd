// Section 2: reading the Crusoe emulator through the real client, for windows of growing size.
import type { EmulatorHost } from "./emulator-host.ts";
import { count, HOUR_MS, mb, note, printSection, printTable, rate, runPart, secs } from "./lib.ts";

interface ReadResult {
  pages: number;
  events: number;
  wallMs: number;
}

export async function benchCrusoeRead(host: EmulatorHost): Promise<void> {
  printSection("2. Crusoe read (emulator, page size 1000; target >= 50k ev/s, RSS flat)");
  const { info } = host;
  const windows: [string, number][] = [
    ["12 min", HOUR_MS / 5],
    ["1 h", HOUR_MS],
    ["10 h", 10 * HOUR_MS],
  ];
  const rows: string[][] = [];
  for (const [label, span] of windows) {
    const run = await runPart<ReadResult>(
      "crusoe-read",
      { info, startMs: info.startMs, endMs: info.startMs + span, pageSize: 1000 },
      300_000,
    );
    const { pages, events, wallMs } = run.data;
    rows.push([
      `window ${label}`,
      count(events),
      count(pages),
      secs(wallMs),
      rate(pages, wallMs, "pages/s"),
      rate(events, wallMs),
      secs(run.cpuMs),
      mb(run.maxRssBytes),
    ]);
  }
  printTable(["read", "events", "pages", "wall", "pages/s", "events/s", "CPU", "peak RSS"], rows);
  note("client in its own process; the emulator (signature checks, paging) runs in another one");
}
