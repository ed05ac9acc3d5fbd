// One consola instance for the whole program. Logs go to stderr only (stdout carries data),
// as text or one JSON object per line, and every line passes through redact().
// A call may end with fields(...): counts and durations that --log-format json emits as
// fields of their own (text shows them as key=value, unless the message already says them).
// consola/core: the same createConsola without the default reporters, which import tty and util.
import { type ConsolaReporter, createConsola, type LogObject } from "consola/core";
import { redact } from "./redact.ts";

const LEVELS: Record<string, number> = {
  silent: -999,
  error: 0,
  warn: 1,
  info: 3,
  debug: 4,
  trace: 5,
};

const FIELDS = Symbol("log fields");

interface Fields {
  [FIELDS]: true;
  values: Record<string, unknown>;
  inText: boolean;
}

/** Structured values for the line; `inText: false` when the message already reads them out. */
export function fields(values: Record<string, unknown>, options = { inText: true }): Fields {
  return { [FIELDS]: true, values, inText: options.inText };
}

function isFields(arg: unknown): arg is Fields {
  return typeof arg === "object" && arg !== null && FIELDS in arg;
}

/** Added to every JSON line once known (the stream id, so several streams' logs can be told apart). */
export const logContext: { stream?: string } = {};

function formatArgs(args: unknown[]): string {
  return args
    .filter((arg) => !isFields(arg))
    .map((arg) =>
      arg instanceof Error
        ? redact(arg.message)
        : typeof arg === "string"
          ? redact(arg)
          : // Redact string values before JSON escaping can hide a secret containing " or \.
            JSON.stringify(arg, (_key, value) =>
              typeof value === "string" ? redact(value) : value,
            ),
    )
    .join(" ");
}

function fieldsOf(entry: LogObject): Fields | undefined {
  return entry.args.find(isFields);
}

function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /^[^\s"=]*$/.test(text) ? text : JSON.stringify(text);
}

const textReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const tag = entry.type === "log" || entry.type === "info" ? "" : `${entry.type}: `;
    const extra = fieldsOf(entry);
    const pairs =
      extra?.inText === true
        ? Object.entries(extra.values)
            .filter(([, value]) => value !== undefined)
            .map(([key, value]) => ` ${key}=${formatValue(value)}`)
            .join("")
        : "";
    process.stderr.write(`${redact(`${tag}${formatArgs(entry.args)}${pairs}`)}\n`);
  },
};

const RESERVED = new Set(["time", "level", "msg", "stream"]);

const jsonReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const line: Record<string, unknown> = {
      time: entry.date.toISOString(),
      level: entry.type,
      msg: formatArgs(entry.args),
    };
    if (logContext.stream) line.stream = logContext.stream;
    for (const [key, value] of Object.entries(fieldsOf(entry)?.values ?? {}))
      if (!RESERVED.has(key)) line[key] = value;
    process.stderr.write(`${redact(JSON.stringify(line))}\n`);
  },
};

// No throttling: consola would fold repeated lines into "(repeated N times)" and delay them.
export const logger = createConsola({
  level: LEVELS.info,
  reporters: [textReporter],
  throttle: 0,
});

export function configureLogger(options: { level?: string; format?: string }): void {
  if (options.level && options.level in LEVELS) logger.level = LEVELS[options.level] as number;
  logger.setReporters([options.format === "json" ? jsonReporter : textReporter]);
}
