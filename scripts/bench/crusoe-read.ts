// Bench part: read one window from the Crusoe emulator through the real client, discarding pages.
// Arg: {info, startMs, endMs, pageSize}. Prints {pages, events, wallMs, requests}.
import { createCrusoeClient } from "../../src/crusoe/client.ts";
import { configForInfo } from "./config.ts";
import type { EmulatorInfo } from "./emulators.ts";
import { emit, readArg } from "./lib.ts";

const arg = readArg<{ info: EmulatorInfo; startMs: number; endMs: number; pageSize: number }>();
const config = configForInfo(arg.info, "/nonexistent");
const client = createCrusoeClient({ ...config.crusoe, pageSize: arg.pageSize });
let pages = 0;
let events = 0;
const started = performance.now();
for await (const page of client.pages({ startMs: arg.startMs, endMs: arg.endMs })) {
  pages++;
  events += page.length;
}
const wallMs = performance.now() - started;
emit({ pages, events, wallMs, requests: client.stats.requests });
