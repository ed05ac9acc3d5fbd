// Section 7: one daemon forwarding 10 streams from a config file (issue 12): the first round
// (every stream delivers the last hour into its own index), then an idle round's cycle time,
// and the daemon's peak RSS (VmHWM).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulatorHost } from "./emulator-host.ts";
import { count, HOUR_MS, mb, ms, note, printSection, printTable, secs } from "./lib.ts";

const EVENTS = 5_000;
const STREAMS = 10;

export async function benchStreams(binary: string): Promise<void> {
  printSection(`7. One daemon, ${STREAMS} streams from a config file (compiled binary)`);
  const now = Date.now();
  const host = await startEmulatorHost({
    events: EVENTS,
    startMs: now - HOUR_MS,
    endMs: now - 60_000,
  });
  const cwd = mkdtempSync(join(tmpdir(), "csh-bench-streams-"));
  try {
    const { crusoe, hec } = host.info;
    const config = join(cwd, "streams.yaml");
    const streams = Array.from(
      { length: STREAMS },
      (_, i) => `  - name: s${i}\n    SPLUNK_INDEX: idx${i}\n`,
    ).join("");
    writeFileSync(
      config,
      `defaults:\n  CRUSOE_BASE_URL: ${crusoe.baseUrl}\n  CRUSOE_ORG_ID: ${crusoe.orgId}\n  CRUSOE_ACCESS_KEY_ID: ${crusoe.accessKeyId}\n  SPLUNK_HEC_URL: ${hec.url}\n  STATE_DIR: ${join(cwd, "state")}\n  LOOKBACK_SECONDS: 7200\n  DAEMON_INTERVAL_SECONDS: 2\n  LOG_FORMAT: json\nstreams:\n${streams}`,
      { mode: 0o600 },
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      CRUSOE_SECRET_ACCESS_KEY: crusoe.secretAccessKey,
      SPLUNK_HEC_TOKEN: hec.token,
    };
    const started = performance.now();
    const daemon = Bun.spawn([binary, "daemon", "--config", config], { cwd, env, stderr: "pipe" });
    let log = "";
    (async () => {
      for await (const chunk of daemon.stderr) log += new TextDecoder().decode(chunk);
    })();
    const cycles = () =>
      log
        .split("\n")
        .filter((line) => line.includes('"command":"forward"'))
        .map(
          (line) => JSON.parse(line) as { stream: string; durationMs: number; delivered: number },
        );
    const deadline = Date.now() + 120_000;
    while (cycles().length < STREAMS && Date.now() < deadline) await Bun.sleep(50);
    const firstMs = performance.now() - started;
    while (cycles().length < 2 * STREAMS && Date.now() < deadline) await Bun.sleep(50);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${daemon.pid}/status`, "utf8"));
    daemon.kill("SIGTERM");
    await daemon.exited;
    const all = cycles();
    const delivered = (await host.ask("stats")).accepted;
    if (all.length < 2 * STREAMS || delivered !== EVENTS * STREAMS)
      throw new Error(`${all.length} cycles, ${delivered} of ${EVENTS * STREAMS} events delivered`);
    const idle = all.slice(STREAMS, 2 * STREAMS).reduce((sum, c) => sum + c.durationMs, 0);
    printTable(
      ["daemon, 10 streams", "first round", "idle round", "peak RSS"],
      [[`${count(EVENTS)} events each`, secs(firstMs), ms(idle), mb(Number(hwm?.[1] ?? 0) * 1024)]],
    );
    note("first round: start-up until every stream delivered the last hour into its own index");
    note(
      "idle round: the 10 cycles one after another with nothing new (each re-reads its overlap)",
    );
  } finally {
    await host.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}
