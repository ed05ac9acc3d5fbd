// The man page, the completions and the env file are generated from the settings table and
// the command list: each must name every setting, command and flag, and be valid for its reader.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderBashCompletion, renderZshCompletion } from "../../scripts/package/completions.ts";
import { loadCommandDocs } from "../../scripts/package/docs.ts";
import { renderEnvFile } from "../../scripts/package/env-file.ts";
import { CREDENTIALS, ETC_DIR, STATE_DIR } from "../../scripts/package/layout.ts";
import { escapeRoff, renderManPage } from "../../scripts/package/man.ts";
import { COMMAND_NAMES } from "../../src/commands/_catalog.ts";
import { COMMANDS } from "../../src/commands/_list.ts";
import { readConfigFile } from "../../src/config/config-file.ts";
import { parseEnvFile } from "../../src/config/env-file.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { EXIT } from "../../src/errors.ts";
import { tempDir } from "../helpers/temp.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const commands = await loadCommandDocs();
const flagged = SETTINGS.filter((s) => s.flag);
const root = join(import.meta.dirname, "..", "..");

test("the command list is the CLI's, each with its flags", () => {
  expect(commands.map((c) => c.name)).toEqual(Object.keys(COMMANDS));
  const forward = commands.find((c) => c.name === "forward");
  expect(forward?.flags.map((f) => f.name)).toContain("dry-run");
  expect(commands.find((c) => c.name === "forward-range")?.flags.map((f) => f.name)).toContain(
    "start-time",
  );
});

describe("man page", () => {
  const page = renderManPage({
    version: "9.9.9",
    date: "2026-01-02",
    summary: "forward Crusoe Cloud audit logs to Splunk HEC",
    commands,
    settings: SETTINGS,
  });

  test("names every variable (secrets also as _FILE), with its flag and default", () => {
    const missing = SETTINGS.flatMap((s) => {
      const need = [s.env && escapeRoff(s.env), s.flag && `Flag: ${escapeRoff(`--${s.flag}`)}.`];
      if (s.secret) need.push(escapeRoff(`${s.env}_FILE`));
      if (s.default !== undefined) need.push(`Default: ${escapeRoff(s.default)}.`);
      return need.filter((text): text is string => Boolean(text) && !page.includes(text as string));
    });
    expect(missing).toEqual([]);
  });

  test("describes every command and every flag of every command", () => {
    for (const command of commands) {
      expect(page).toContain(`.TP\n\\fB${escapeRoff(command.name)}\\fR\n`);
      for (const flag of command.flags)
        expect(page).toContain(`\\fB${escapeRoff(`--${flag.name}`)}\\fR`);
    }
  });

  test("lists every exit code, the version and the files", () => {
    for (const code of Object.values(EXIT)) expect(page).toContain(`.TP\n\\fB${code}\\fR\n`);
    expect(page).toContain('"crusoe-splunk-hec 9.9.9"');
    expect(page).toContain(escapeRoff(`${ETC_DIR}/env`));
    expect(page).toContain(escapeRoff(STATE_DIR));
  });

  test("escapes what roff would misread: backslashes, hyphens, a leading dot or quote", () => {
    expect(escapeRoff(".env and 'x'\n'quoted\\path --flag")).toBe(
      "\\&.env and 'x'\n\\&'quoted\\epath \\-\\-flag",
    );
  });

  test("no text line starts with a dot or quote that roff would read as a request", () => {
    const requests = /^\.(\\"|TH|SH|TP|PP|br|nf|fi)( |$)/;
    const stray = page.split("\n").filter((line) => /^[.']/.test(line) && !requests.test(line));
    expect(stray).toEqual([]);
  });
});

describe("bash completion", () => {
  const script = renderBashCompletion(commands);

  /** Source the completion in a real bash and complete the given words. */
  function complete(words: string[]): string[] {
    const file = join(tempDir("csh-compl-"), "crusoe-splunk-hec");
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const program = `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _crusoe_splunk_hec; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = Bun.spawnSync(["bash", "-c", program], { stdout: "pipe", stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    return result.stdout.toString().split("\n").filter(Boolean).sort();
  }

  test("completes commands, each command's flags, and choices from the settings table", () => {
    expect(complete(["crusoe-splunk-hec", "forward-r"])).toEqual([
      "forward-range",
      "forward-recent",
    ]);
    for (const command of commands) {
      const offered = complete(["crusoe-splunk-hec", command.name, "--"]);
      expect(offered).toEqual([...command.flags.map((f) => `--${f.name}`), "--help"].sort());
    }
    for (const setting of flagged.filter((s) => s.choices))
      expect(complete(["crusoe-splunk-hec", "forward", `--${setting.flag}`, ""])).toEqual(
        [...(setting.choices ?? [])].sort(),
      );
  });

  test("offers every flag of the settings table somewhere", () => {
    const missing = flagged.filter(
      (s) => !script.includes(`--${s.flag} `) && !script.includes(`--${s.flag}"`),
    );
    expect(missing.map((s) => s.flag)).toEqual([]);
  });
});

describe("zsh completion", () => {
  const script = renderZshCompletion(commands);

  test("names every command and every flag of every command", () => {
    expect(script.startsWith("#compdef crusoe-splunk-hec\n")).toBe(true);
    for (const command of commands) {
      expect(script).toContain(`    '${command.name}:`);
      for (const flag of command.flags) expect(script).toContain(`'--${flag.name}`);
    }
    for (const setting of flagged.filter((s) => s.choices))
      expect(script).toContain(`:${setting.flag}:(${setting.choices?.join(" ")})'`);
  });

  const zsh = Bun.which("zsh");
  test.skipIf(!zsh)("parses in zsh", () => {
    const file = join(tempDir("csh-zsh-"), "_crusoe-splunk-hec");
    writeFileSync(file, script);
    const result = Bun.spawnSync([zsh as string, "-n", file], { stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

describe("env file", () => {
  const text = renderEnvFile(SETTINGS);

  test("sets nothing as shipped: every line is a comment", () => {
    expect(parseEnvFile(text)).toEqual({});
  });

  test("lists every variable with its default; secrets only as _FILE", () => {
    const lines = new Set(text.split("\n"));
    const missing = SETTINGS.filter((s) => s.env).filter((s) =>
      s.secret
        ? !lines.has(`#${s.env}_FILE=`) || [...lines].some((l) => l.startsWith(`#${s.env}=`))
        : !lines.has(`#${s.env}=${s.default ?? ""}`),
    );
    expect(missing.map((s) => s.env)).toEqual([]);
  });

  test("uncommented, each default reads back as the settings table's default", () => {
    const values = parseEnvFile(text.replace(/^#([A-Z][A-Z0-9_]*=)/gm, "$1"));
    for (const setting of SETTINGS.filter((s) => s.env && s.default !== undefined))
      expect([setting.env, values[setting.env as string]]).toEqual([setting.env, setting.default]);
  });
});

describe("systemd units", () => {
  const unit = (name: string) => readFileSync(join(root, "packaging/systemd", name), "utf8");
  const services = ["crusoe-splunk-hec.service", "crusoe-splunk-hec-forward.service"];

  test("both services read the env file and the credentials the env file and man page name", () => {
    for (const name of services) {
      const text = unit(name);
      expect(text).toContain(`EnvironmentFile=${ETC_DIR}/env\n`);
      expect(text).toContain(`Environment=STATE_DIR=${STATE_DIR}\n`);
      expect(text).toContain("StateDirectory=crusoe-splunk-hec\n");
      expect(text).toMatch(/^ExecStart=\/usr\/bin\/crusoe-splunk-hec (daemon|forward)$/m);
      for (const c of CREDENTIALS) {
        expect(text).toContain(`LoadCredential=${c.name}:${ETC_DIR}/${c.name}\n`);
        expect(text).toContain(`Environment=${c.env}_FILE=%d/${c.name}\n`);
      }
    }
    expect(unit("crusoe-splunk-hec.timer")).toContain("Unit=crusoe-splunk-hec-forward.service\n");
  });
});

test("the help catalog and the lazily loaded command list name the same commands", () => {
  expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(COMMANDS).sort());
});

test("the packaged streams example is a valid config file: known keys, named streams", async () => {
  const file = await readConfigFile(join(root, "packaging/streams.example.yaml"));
  expect(file.streams.map((stream) => stream.name)).toEqual(["prod", "prod-deletes", "staging"]);
  expect(file.streams[1]?.vars.CRUSOE_FILTER_ACTIONS).toBe("Delete");
  expect(file.warnings).toEqual([]);
});
