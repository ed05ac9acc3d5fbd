// One consola instance for the whole program. Logs go to stderr only (stdout carries data),
// as text or one JSON object per line, and every line passes through redact().
import { type ConsolaReporter, createConsola, type LogObject } from "consola";
import { redact } from "./redact.ts";

const LEVELS: Record<string, number> = {
  silent: -999,
  error: 0,
  warn: 1,
  info: 3,
  debug: 4,
  trace: 5,
};

function formatArgs(args: unknown[]): string {
  return args
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

const textReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const tag = entry.type === "log" || entry.type === "info" ? "" : `${entry.type}: `;
    process.stderr.write(`${redact(`${tag}${formatArgs(entry.args)}`)}\n`);
  },
};

const jsonReporter: ConsolaReporter = {
  log(entry: LogObject) {
    const line = { time: entry.date.toISOString(), level: entry.type, msg: formatArgs(entry.args) };
    process.stderr.write(`${redact(JSON.stringify(line))}\n`);
  },
};

export const logger = createConsola({ level: LEVELS.info, reporters: [textReporter] });

export function configureLogger(options: { level?: string; format?: string }): void {
  if (options.level && options.level in LEVELS) logger.level = LEVELS[options.level] as number;
  logger.setReporters([options.format === "json" ? jsonReporter : textReporter]);
}
