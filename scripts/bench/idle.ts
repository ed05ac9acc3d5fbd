// Section 6: what cron pays every few minutes: the compiled binary's `forward` when nothing is
// new (after a first run delivered the last hour), against emulators in another process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emulatorEnv } from "../../src/emulators/config.ts";
import { startEmulatorHost } from "./emulator-host.ts";
import { count, HOUR_MS, mb, ms, note, printSection, printTable } from "./lib.ts";
import { timeCommand } from "./startup.ts";

const EVENTS = 5_000;

/** The one summary line `forward` logs ("forward ok: fetched N, delivered N, ..."). */
function summaryOf(stderr: string): string {
  return stderr.split("\n").find((line) => line.startsWith("forward ")) ?? stderr.trim();
}

export async function benchIdleForward(binary: string): Promise<void> {
  printSection("6. Idle forward (compiled binary, no new events; target < 100 ms wall)");
  const now = Date.now();
  // The last hour up to a minute ago: an idle run re-reads its 300 s overlap, all duplicates.
  const host = await startEmulatorHost({
    events: EVENTS,
    startMs: now - HOUR_MS,
    endMs: now - 60_000,
  });
  const cwd = mkdtempSync(join(tmpdir(), "csh-bench-idle-"));
  try {
    const { crusoe, hec } = host.info;
    const env = {
      ...emulatorEnv(crusoe, hec, join(cwd, "state")),
      LOOKBACK_SECONDS: String(2 * 3600),
    };
    const first = Bun.spawnSync([binary, "forward"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stderr: "pipe",
      timeout: 60_000,
    });
    const delivered = (await host.ask("stats")).accepted;
    if (!first.success || delivered !== EVENTS) {
      throw new Error(`first forward delivered ${delivered} of ${EVENTS}: ${first.stderr}`);
    }
    const idle = timeCommand([binary, "forward"], 10, { cwd, env });
    const after = (await host.ask("stats")).accepted;
    if (after !== delivered) throw new Error(`idle forward delivered ${after - delivered} events`);
    printTable(
      ["binary forward", "median", "min", "peak RSS", "target"],
      [["idle (nothing new)", ms(idle.medianMs), ms(idle.minMs), mb(idle.rssBytes), "< 100 ms"]],
    );
    note(`state: ${count(EVENTS)} tracked ids (first run delivered the last hour), fs store`);
    note(`a typical idle run: ${summaryOf(idle.lastStderr)}`);
  } finally {
    await host.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}
