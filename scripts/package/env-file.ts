// /etc/crusoe-splunk-hec/env from the settings table: every variable commented out with its
// default, secrets only as NAME_FILE (a value in this file would end up in the environment).
import type { Setting } from "../../src/config/settings.ts";
import { CREDENTIALS, ETC_DIR } from "./layout.ts";

const HEADER = `# ${ETC_DIR}/env: settings for crusoe-splunk-hec.service and
# crusoe-splunk-hec-forward.service (systemd reads it as EnvironmentFile=; see
# crusoe-splunk-hec(1)). Every setting is listed, commented out, with its default.
# Uncomment and edit what you need: upgrades keep your copy. One VARIABLE=value per line;
# values are taken literally (no quotes, no $expansion). It overrides the units' defaults:
# STATE_DIR=/var/lib/crusoe-splunk-hec, LOG_FORMAT=json and the credentials below.
# Generated from the settings table (src/config/settings.ts) by scripts/package.ts.
#
# Secrets never go here: each is a file, given as NAME_FILE. The units load
${CREDENTIALS.map((c) => `#   ${ETC_DIR}/${c.name} as ${c.env}_FILE`).join("\n")}
# as systemd credentials (create them with mode 0600, owner root).
`;

function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > 98 && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

function renderSetting(setting: Setting): string[] {
  if (!setting.env) return [];
  const credential = CREDENTIALS.find((c) => c.env === setting.env);
  const notes = [
    `${setting.help}.`,
    setting.flag ? `(flag --${setting.flag})` : "",
    setting.choices ? `One of: ${setting.choices.join(", ")}.` : "",
    setting.min !== undefined ? `Range: ${setting.min} to ${setting.max}.` : "",
    setting.secret
      ? credential
        ? `Secret: set by the units to the credential loaded from ${ETC_DIR}/${credential.name}; leave this commented.`
        : "Secret: give a file the service can read (e.g. a LoadCredential= drop-in, see the README)."
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  const assignment = setting.secret
    ? `#${setting.env}_FILE=`
    : `#${setting.env}=${setting.default ?? ""}`;
  return ["", ...wrapComment(notes), assignment];
}

export function renderEnvFile(settings: readonly Setting[]): string {
  return `${HEADER}${settings.flatMap(renderSetting).join("\n")}\n`;
}
