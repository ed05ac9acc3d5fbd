// Bench part: hosts the Crusoe and HEC emulators in their own process, so the data set (about
// 2.7 GB for 1M entries) never counts toward the measured process's RSS.
// Arg: {"events": N, "startMs": ms, "endMs": ms}. Prints {"ready": info} then answers one JSON line
// per stdin command: "stats", "down", "up". Exits when stdin closes.
import { createInterface } from "node:readline";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { startHecEmulator } from "../../src/emulators/hec.ts";
import { readArg } from "./lib.ts";

export interface EmulatorInfo {
  crusoe: { baseUrl: string; orgId: string; accessKeyId: string; secretAccessKey: string };
  hec: { url: string; token: string };
  events: number;
  startMs: number;
  endMs: number;
  setupMs: number;
}

export interface EmulatorStats {
  accepted: number;
  hecRequests: number;
  /** Bytes received on the wire (gzip) and decoded, over all HEC requests. */
  wireBytes: number;
  bodyBytes: number;
  crusoeRequests: number;
  cpuMs: number;
  rssBytes: number;
}

const arg = readArg<{ events: number; startMs: number; endMs: number }>();
const started = performance.now();
const entries = generateAuditEntries(arg.events, { startMs: arg.startMs, endMs: arg.endMs });
const crusoe = await startCrusoeEmulator({ entries, maxPageSize: 1000 });
entries.length = 0; // the emulator holds the entries now; our array is not needed
const hec = await startHecEmulator({ keepAccepted: false });
// Collect the set-up garbage now rather than during a measured request.
Bun.gc(true);
// Large runs make the request logs grow; the bench only needs their running totals.
let wireBytes = 0;
let bodyBytes = 0;
let hecRequests = 0;
let crusoeRequests = 0;
function foldLogs(): void {
  for (const r of hec.requests.splice(0)) {
    wireBytes += r.wireBytes ?? 0;
    bodyBytes += r.bytes ?? 0;
    hecRequests++;
  }
  crusoeRequests += crusoe.requests.splice(0).length;
}
const folder = setInterval(foldLogs, 1000);

function infoOf(): EmulatorInfo {
  return {
    crusoe: {
      baseUrl: crusoe.baseUrl,
      orgId: crusoe.orgId,
      accessKeyId: crusoe.accessKeyId,
      secretAccessKey: crusoe.secretAccessKey,
    },
    hec: { url: hec.url, token: hec.token },
    events: arg.events,
    startMs: arg.startMs,
    endMs: arg.endMs,
    setupMs: performance.now() - started,
  };
}
const info = infoOf();
process.stdout.write(`${JSON.stringify({ ready: info })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const command = line.trim();
  if (command === "down" || command === "up") hec.setDown(command === "down");
  foldLogs();
  const cpu = process.cpuUsage();
  const stats: EmulatorStats = {
    accepted: hec.acceptedCount,
    hecRequests,
    wireBytes,
    bodyBytes,
    crusoeRequests,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: process.memoryUsage().rss,
  };
  process.stdout.write(`${JSON.stringify(stats)}\n`);
});
lines.on("close", async () => {
  clearInterval(folder);
  await Promise.all([crusoe.close(), hec.close()]);
  process.exit(0);
});
