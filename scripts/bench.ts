// `bun run bench`: prints figures (never asserts timing). Each measurement runs in its own
// process so its peak RSS is its own; the emulators live in yet another process.
// Usage: bun run bench [--only startup,crusoe,hec,state,e2e,idle,streams]
// Exit 0 unless something is broken (a part crashed or events went missing).
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { benchCrusoeRead } from "./bench/crusoe.ts";
import { benchDensity, benchEndToEnd } from "./bench/e2e-section.ts";
import { type EmulatorHost, startEmulatorHost } from "./bench/emulator-host.ts";
import { benchHecSend } from "./bench/hec.ts";
import { benchIdleForward } from "./bench/idle.ts";
import { count, HOUR_MS, note, secs } from "./bench/lib.ts";
import { benchStartup, ensureBinary } from "./bench/startup.ts";
import { benchState } from "./bench/state-section.ts";
import { benchStreams } from "./bench/streams.ts";

const SECTIONS = ["startup", "crusoe", "hec", "state", "e2e", "idle", "streams"] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({ options: { only: { type: "string" } } });
const wanted = new Set((values.only?.split(",") ?? SECTIONS).map((s) => s.trim()));
for (const name of wanted) {
  if (!SECTIONS.includes(name as Section)) {
    console.error(`unknown section "${name}"; choose from ${SECTIONS.join(", ")}`);
    process.exit(2);
  }
}

const started = performance.now();
console.log(
  `crusoe-splunk-hec bench: bun ${Bun.version}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ` +
    `${Math.round(totalmem() / 1e9)} GB, ${new Date().toISOString()}`,
);

// 1M events over 10 whole hours ending at least 1 h ago (100k per hour-long chunk); shared by
// the Crusoe, HEC and end-to-end sections, and started only when one of them runs.
const DATA_EVENTS = 1_000_000;
const dataStart = Math.floor((Date.now() - 12 * HOUR_MS) / HOUR_MS) * HOUR_MS;
let host: EmulatorHost | undefined;
async function dataHost(): Promise<EmulatorHost> {
  if (!host) {
    host = await startEmulatorHost({
      events: DATA_EVENTS,
      startMs: dataStart,
      endMs: dataStart + 10 * HOUR_MS,
    });
    console.log("");
    note(
      `data set: ${count(DATA_EVENTS)} audit entries over 10 h, emulators ready in ${secs(host.info.setupMs)}`,
    );
    note("(the emulators run in their own process; each measurement below in another one)");
  }
  return host;
}

const broken: string[] = [];
async function section(name: Section, run: () => Promise<void> | void): Promise<void> {
  if (!wanted.has(name)) return;
  try {
    await run();
  } catch (error) {
    broken.push(name);
    console.log(`  BROKEN: ${(error as Error).message}`);
  }
}

try {
  await section("startup", () => benchStartup(ensureBinary()));
  await section("crusoe", async () => benchCrusoeRead(await dataHost()));
  await section("hec", async () => benchHecSend(await dataHost()));
  await section("state", () => benchState());
  await section("e2e", async () => benchEndToEnd(await dataHost()));
  await section("e2e", () => benchDensity());
  await section("idle", () => benchIdleForward(ensureBinary()));
  await section("streams", () => benchStreams(ensureBinary()));
} finally {
  await host?.close();
}

console.log(
  `\nbench done in ${secs(performance.now() - started)}${broken.length ? `; BROKEN: ${broken.join(", ")}` : ""}`,
);
process.exit(broken.length ? 1 : 0);
