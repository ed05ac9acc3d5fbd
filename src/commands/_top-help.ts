// The top-level help: the commands and a few examples. Apart from the per-command help
// (_help.ts, loaded only when asked for): its settings table is most of what `--help` loaded.
import { COMMANDS } from "./_catalog.ts";

export const WIDTH = 80;
export const PROGRAM = "crusoe-splunk-hec";

export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function renderTopHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 4;
  const out = [
    `${PROGRAM} ${version}: forward Crusoe Cloud audit logs to Splunk HEC`,
    "",
    `Usage: ${PROGRAM} <command> [flags]`,
    "",
    "Commands:",
  ];
  for (const command of COMMANDS) {
    const body = wrap(command.summary, WIDTH - 2 - width);
    out.push(
      ...body.map(
        (line, i) => (i ? " ".repeat(2 + width) : `  ${command.name.padEnd(width)}`) + line,
      ),
    );
  }
  out.push(
    "",
    "Examples:",
    `  ${PROGRAM} config-check        # what it will use, and from where`,
    `  ${PROGRAM} forward --dry-run   # fetch and show; send nothing`,
    `  ${PROGRAM} forward             # the cron command`,
    `  ${PROGRAM} status --check      # monitoring: exit 0 OK, 2 CRITICAL`,
    "",
    `'${PROGRAM} <command> --help' (or 'help <command>') lists its flags;`,
    `'${PROGRAM} --version' (or 'version') prints the version. Settings also`,
    "come from environment variables and ./.env; 'config-check' shows where each",
    "value came from.",
  );
  return `${out.join("\n")}\n`;
}
