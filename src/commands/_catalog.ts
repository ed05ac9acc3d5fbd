// The commands as the top-level help, `help <command>` and typo suggestions see them, without
// loading any command's code (cli.ts maps the same names to lazy imports).

export interface CommandInfo {
  name: string;
  summary: string;
  examples: string[];
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: "forward",
    summary: "forward new events since the checkpoint (the cron command)",
    examples: [
      "forward",
      "forward --dry-run",
      "forward --sink stdout | jq .event.action",
      "forward --actions Create,Delete --lookback 3600",
    ],
  },
  {
    name: "forward-recent",
    summary: "forward the last N hours, deduplicated against every other run",
    examples: ["forward-recent --hours 6", "forward-recent --hours 1 --dry-run"],
  },
  {
    name: "forward-range",
    summary: "forward a fixed time range; resumable",
    examples: [
      "forward-range --start-time 2026-10-01T00:00:00Z --end-time 2026-10-08T00:00:00Z",
      "forward-range --start-time 2026-10-01T00:00:00Z --concurrency 8",
    ],
  },
  {
    name: "daemon",
    summary: "run forward every --interval seconds until SIGTERM/SIGINT",
    examples: ["daemon --interval 300", "daemon --redis-url redis://state:6379/0"],
  },
  {
    name: "health",
    summary: "check Crusoe auth and clock, HEC health and token, the state store",
    examples: ["health", "health --json"],
  },
  {
    name: "config-check",
    summary: "validate and print the effective configuration (secrets redacted)",
    examples: ["config-check", "config-check --env-file /etc/crusoe-splunk-hec/env --json"],
  },
  {
    name: "status",
    summary: "last run, checkpoint, lag and lock; --check for monitoring",
    examples: ["status", "status --all", "status --check --max-lag 900"],
  },
  {
    name: "dedup-stats",
    summary: "dedup and checkpoint statistics; --clear resets the stream's state",
    examples: ["dedup-stats", "dedup-stats --clear --yes"],
  },
  {
    name: "replay-dead-letter",
    summary: "send dead-lettered events again once their cause is fixed",
    examples: ["replay-dead-letter", "replay-dead-letter --index audit_fixed"],
  },
  {
    name: "selftest",
    summary: "the whole pipeline against built-in emulators (no network needed)",
    examples: ["selftest"],
  },
];

export const COMMAND_NAMES = COMMANDS.map((command) => command.name);
