// Bench part: push N envelopes of typical audit entries through the real HEC sink, with as many
// batches in flight as the sink allows (like the pipeline). Envelopes are built beforehand from a
// small pool of entries, so the timing is the sink's and the RSS is not the data set's.
// Arg: {info, events, batchSize, concurrency, gzip}. Prints {events, delivered, failed, wallMs, lineBytes}.
import { eventTimeMs } from "../../src/crusoe/entry.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { buildEnvelopeLine } from "../../src/hec/envelope.ts";
import { createHecSink } from "../../src/sinks/hec.ts";
import type { SendResult, SinkEvent } from "../../src/sinks/types.ts";
import { eventId } from "../../src/state/event-id.ts";
import { configForInfo } from "./config.ts";
import type { EmulatorInfo } from "./emulators.ts";
import { emit, HOUR_MS, readArg } from "./lib.ts";

const arg = readArg<{
  info: EmulatorInfo;
  events: number;
  batchSize: number;
  concurrency: number;
  gzip: boolean;
}>();
const POOL = 2000;
const config = configForInfo(arg.info, "/nonexistent");
const hecConfig = { ...config.hec, batchSize: arg.batchSize, concurrency: arg.concurrency };
const meta = { host: hecConfig.host, source: hecConfig.source, sourcetype: hecConfig.sourcetype };
const now = Date.now();
const pool: SinkEvent[] = generateAuditEntries(POOL, { startMs: now - HOUR_MS, endMs: now }).map(
  (entry) => {
    const id = eventId(entry);
    const timeMs = eventTimeMs(entry) as number;
    return { id, timeMs, line: buildEnvelopeLine(entry, id, timeMs, meta) };
  },
);
const poolBytes = pool.reduce((sum, ev) => sum + Buffer.byteLength(ev.line) + 1, 0);

const sink = createHecSink({ ...hecConfig, gzip: arg.gzip });
const inFlight: Promise<SendResult>[] = [];
let delivered = 0;
let failed = 0;
const settle = async () => {
  const result = await (inFlight.shift() as Promise<SendResult>);
  delivered += result.delivered.length;
  if (result.failure) failed++;
};
const started = performance.now();
for (let sent = 0; sent < arg.events && failed === 0; sent += arg.batchSize) {
  const size = Math.min(arg.batchSize, arg.events - sent);
  const batch = Array.from({ length: size }, (_, k) => pool[(sent + k) % POOL] as SinkEvent);
  inFlight.push(sink.send(batch));
  while (inFlight.length >= sink.maxInFlight) await settle();
}
while (inFlight.length) await settle();
const wallMs = performance.now() - started;
await sink.close();
emit({
  events: arg.events,
  delivered,
  failed,
  wallMs,
  lineBytes: (poolBytes / POOL) * arg.events,
});
