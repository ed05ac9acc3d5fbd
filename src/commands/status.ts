import type { LoadedStream } from "../config/streams.ts";
import type { ResolvedConfig } from "../config/types.ts";
import { EXIT, UsageError } from "../errors.ts";
import { describeHolder, openStore } from "../pipeline/session.ts";
import { describeStream } from "../pipeline/stream.ts";
import { openStateStore, type StateStore } from "../state/store.ts";
import { formatIso } from "../time.ts";
import { jsonArg, streamArgs } from "./_args.ts";
import {
  CHECK_CODES,
  checkView,
  describeFilters,
  hasState,
  lagOf,
  readView,
  type StreamView,
  streamSummary,
} from "./_status-view.ts";
import { defineVerb, loadStreamsFromArgs, NEEDS_STREAM, onlyStream } from "./_verb.ts";

const DEFAULT_MAX_LAG = 3600;

export default defineVerb({
  name: "status",
  description:
    "Show the last run: outcome, counts, checkpoint, lag, lock holder (exit 1 when it failed)",
  args: {
    ...streamArgs,
    ...jsonArg,
    all: { type: "boolean", description: "every stream in the state directory or Redis" },
    check: {
      type: "boolean",
      description: "monitoring probe: one line, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
    },
    "max-lag": {
      type: "string",
      description: `--check: seconds a run may be overdue or the checkpoint behind (default ${DEFAULT_MAX_LAG})`,
    },
  },
  async run(args) {
    const maxLag = parseMaxLag(args["max-lag"]);
    if (args["max-lag"] !== undefined && !args.check)
      throw new UsageError("--max-lag is for --check: status --check --max-lag SECONDS");
    if (args.check && (args.json || args.all))
      throw new UsageError("--check prints one line for one stream: drop --json and --all");
    const { file, streams } = await loadStreamsFromArgs(args, NEEDS_STREAM);
    if (file !== undefined) {
      if (args.check && streams.length !== 1)
        throw new UsageError("--check prints one line for one stream: add --stream NAME");
      if (!args.check) return showStreams(streams, Boolean(args.json));
    }
    const { config } = onlyStream({ streams });
    if (args.check) return probe(config, maxLag);
    const store = await openStore(config);
    try {
      const view = await readView(store);
      if (args.all) return await showAll(config, store, view, Boolean(args.json));
      const others = hasState(view) ? [] : await otherStreams(config, store);
      if (args.json) printJson(store, view, others);
      else printText(config, store, view, others);
      return view.last?.outcome === "failed" ? EXIT.failed : EXIT.ok;
    } finally {
      await store.close();
    }
  },
});

/** A config file's streams (or those --stream names): one line each, or JSON. */
async function showStreams(streams: LoadedStream[], json: boolean): Promise<number> {
  const views: StreamView[] = [];
  let location = "";
  for (const { loaded } of streams) {
    const store = await openStore(loaded.config);
    try {
      location = `${store.kind}: ${store.location}`;
      views.push(await readView(store));
    } finally {
      await store.close();
    }
  }
  const now = Date.now();
  if (json) {
    const body = views.map((v) => ({
      stream: v.stream,
      store: location,
      checkpoint: formatIso(v.checkpointMs) ?? null,
      lagSeconds: lagOf(v, now) ?? null,
      lastRun: v.last ?? null,
      lock: v.holder ?? null,
    }));
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    process.stdout.write(`${views.map((v) => streamSummary(v, now)).join("\n")}\n`);
  }
  return views.some((v) => v.last?.outcome === "failed") ? EXIT.failed : EXIT.ok;
}

function parseMaxLag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_LAG;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new UsageError(`--max-lag: "${value}" must be a whole number of seconds (1 or more)`);
  return seconds;
}

async function probe(config: ResolvedConfig, maxLag: number): Promise<number> {
  let view: StreamView;
  try {
    const store = await openStore(config);
    try {
      view = await readView(store);
    } finally {
      await store.close();
    }
  } catch (error) {
    process.stdout.write(`CRUSOE-SPLUNK-HEC UNKNOWN - ${(error as Error).message}\n`);
    return CHECK_CODES.UNKNOWN;
  }
  const verdict = checkView(view, maxLag, Date.now());
  process.stdout.write(`${verdict.line}\n`);
  return CHECK_CODES[verdict.state];
}

/** Views of the other streams kept next to this one (the settings may differ only slightly). */
async function otherStreams(config: ResolvedConfig, store: StateStore): Promise<StreamView[]> {
  const ids = (await store.streams()).filter((id) => id !== store.stream).sort();
  const views: StreamView[] = [];
  for (const id of ids) {
    const other = await openStateStore(config.state, id);
    try {
      views.push(await readView(other));
    } finally {
      await other.close();
    }
  }
  return views;
}

async function showAll(
  config: ResolvedConfig,
  store: StateStore,
  view: StreamView,
  json: boolean,
): Promise<number> {
  const views = [...(hasState(view) ? [view] : []), ...(await otherStreams(config, store))];
  const now = Date.now();
  if (json) {
    const body = views.map((v) => ({
      stream: v.stream,
      current: v.stream === store.stream,
      settings: v.last?.stream ?? null,
      checkpoint: formatIso(v.checkpointMs) ?? null,
      lagSeconds: lagOf(v, now) ?? null,
      lastRun: v.last ?? null,
      lock: v.holder ?? null,
    }));
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else if (views.length === 0) {
    process.stdout.write(`no streams in ${store.location}\n`);
  } else {
    const lines = views.map(
      (v) => `${streamSummary(v, now)}${v.stream === store.stream ? "  (these settings)" : ""}`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return views.some((v) => v.last?.outcome === "failed") ? EXIT.failed : EXIT.ok;
}

function printJson(store: StateStore, view: StreamView, others: StreamView[]): void {
  const body = {
    stream: store.stream,
    store: store.location,
    checkpoint: formatIso(view.checkpointMs) ?? null,
    lagSeconds: lagOf(view, Date.now()) ?? null,
    lastRun: view.last ?? null,
    lock: view.holder ?? null,
    otherStreams: others.map((o) => ({ stream: o.stream, settings: o.last?.stream ?? null })),
  };
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}

function printText(
  config: ResolvedConfig,
  store: StateStore,
  view: StreamView,
  others: StreamView[],
): void {
  const { last, holder } = view;
  const checkpoint = formatIso(view.checkpointMs) ?? "none yet";
  const lag = lagOf(view, Date.now());
  const lines = [
    `stream      ${store.stream} (${store.kind}: ${store.location})`,
    `checkpoint  ${checkpoint}${lag === undefined ? "" : ` (${lag} s behind now)`}`,
    `lock        ${holder ? `held by ${describeHolder(holder)}` : "free"}`,
  ];
  if (last) {
    lines.push(
      `last run    ${last.command} ${last.outcome}, ${last.startedAt} .. ${last.endedAt}`,
      `            fetched ${last.fetched}, delivered ${last.delivered}, duplicates skipped ${last.duplicates}, dead-lettered ${last.deadLettered}, retries ${last.retries}`,
    );
    if (last.lastError) lines.push(`last error  ${last.lastError}`);
  } else lines.push("last run    none yet");
  if (others.length) {
    const d = describeStream(config);
    lines.push(
      "",
      `No state for these settings (org ${d.orgId}, filters ${describeFilters(d.filters)}, destination ${d.destination.trim()}),`,
      `but ${store.location} holds ${others.length} other stream(s); the stream id is a hash of org, filters and destination:`,
      ...others.map((o) => `  ${streamSummary(o, Date.now())}`),
      "Use the same CRUSOE_ORG_ID, filters, SPLUNK_HEC_URL and SPLUNK_INDEX as the service, or see `status --all`.",
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
