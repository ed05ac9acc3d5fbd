// Help text: 80 columns, flags grouped, the unit of every time flag in its placeholder, the
// variable and default of each setting, and examples. Plain text: no colour, ever (it ends up
// in pipes, files and journald).
import type { ArgsDef } from "citty";
import { SETTINGS, type Setting } from "../config/settings.ts";
import { AUDIT_FILTER_NAMES } from "../config/types.ts";
import { COMMANDS } from "./_catalog.ts";
import { PROGRAM, WIDTH, wrap } from "./_top-help.ts";

const FLAG_COLUMN = 28;

const SETTING_BY_FLAG = new Map(SETTINGS.filter((s) => s.flag).map((s) => [s.flag, s]));
const FILTER_FLAGS = new Set(AUDIT_FILTER_NAMES.map((name) => name.replaceAll("_", "-")));

const GROUPS: [title: string, flags: string[]][] = [
  [
    "Connection",
    [
      "org-id",
      "base-url",
      "page-size",
      "sink",
      "hec-url",
      "index",
      "sourcetype",
      "source",
      "host",
      "batch-size",
      "env-file",
      "config",
      "stream",
    ],
  ],
  [
    "Window (SECONDS: a number of seconds)",
    [
      "hours",
      "start-time",
      "end-time",
      "lookback",
      "overlap",
      "lag",
      "chunk",
      "concurrency",
      "interval",
    ],
  ],
  ["Filters (comma-separated values)", [...FILTER_FLAGS]],
  [
    "State and dedup",
    [
      "state-dir",
      "redis-url",
      "dead-letter-file",
      "dedup-retention",
      "dedup-buffer-seconds",
      "disable-dedup",
    ],
  ],
  [
    "Output",
    ["dry-run", "json", "log-level", "log-format", "verbose", "quiet", "metrics-listen", "help"],
  ],
  ["The Python forwarder's flags (accepted, with a note)", ["config-file", "enable-dedup"]],
];

/** Placeholders for flags that are not settings. */
const VALUE_NAMES: Record<string, string> = {
  hours: "HOURS",
  "start-time": "TIME",
  "end-time": "TIME",
  "max-lag": "SECONDS",
  "env-file": "PATH",
  "config-file": "PATH",
  "redis-url": "URL",
  config: "PATH",
  stream: "NAME[,NAME]",
  "metrics-listen": "HOST:PORT",
};

function valueName(flag: string, setting: Setting | undefined): string {
  if (VALUE_NAMES[flag]) return VALUE_NAMES[flag];
  if (!setting) return "VALUE";
  if (setting.choices) return setting.choices.join("|");
  if (/_SECONDS$/.test(setting.env ?? "") || setting.key === "lag" || setting.key === "chunk")
    return "SECONDS";
  if (setting.kind === "int" || setting.kind === "number") return "N";
  if (setting.kind === "url") return "URL";
  if (setting.kind === "list") return "LIST";
  if (/dir|file/i.test(flag)) return "PATH";
  return flag === "org-id" ? "UUID" : "NAME";
}

function describeFlag(flag: string, def: ArgsDef[string]): [string, string] {
  const setting = SETTING_BY_FLAG.get(flag);
  const left = def.type === "boolean" ? `--${flag}` : `--${flag} ${valueName(flag, setting)}`;
  if (!setting) return [left, def.description ?? ""];
  const env = setting.env ? ` [${setting.env}]` : "";
  const fallback = setting.default !== undefined && setting.kind !== "bool";
  return [left, `${setting.help}${fallback ? ` (default ${setting.default})` : ""}${env}`];
}

function formatFlag(left: string, right: string): string[] {
  const indent = " ".repeat(FLAG_COLUMN);
  const body = wrap(right, WIDTH - FLAG_COLUMN);
  const head = `  ${left}`;
  if (head.length + 2 > FLAG_COLUMN) return [head, ...body.map((line) => indent + line)];
  return body.map((line, i) => (i === 0 ? head.padEnd(FLAG_COLUMN) : indent) + line);
}

export function renderCommandHelp(name: string, description: string, args: ArgsDef): string {
  const info = COMMANDS.find((command) => command.name === name);
  const out = [`Usage: ${PROGRAM} ${name} [flags]`, "", ...wrap(description, WIDTH)];
  const flags = Object.keys(args);
  const placed = new Set<string>();
  const section = (title: string, members: string[]) => {
    if (!members.length) return;
    out.push("", `${title}:`);
    for (const flag of members) {
      placed.add(flag);
      out.push(...formatFlag(...describeFlag(flag, args[flag] as ArgsDef[string])));
    }
  };
  const grouped = new Set(GROUPS.flatMap(([, members]) => members));
  section(
    "Options",
    flags.filter((flag) => !grouped.has(flag)),
  );
  for (const [title, members] of GROUPS)
    section(
      title,
      members.filter((flag) => flags.includes(flag)),
    );
  if (!placed.has("help")) out.push(...formatFlag("--help", "show this help"));
  if (info?.examples.length) {
    out.push("", "Examples:");
    for (const example of info.examples)
      out.push(
        ...wrap(`${PROGRAM} ${example}`, WIDTH - 4).map((l, i) => (i ? "      " : "  ") + l),
      );
  }
  return `${out.join("\n")}\n`;
}
