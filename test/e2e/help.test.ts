// Help, version and typos from the compiled binary: 80 columns, plain text on a pipe and on a
// terminal, only the flags that apply, units, examples, `help <command>`, `version`.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { COMMAND_NAMES } from "../../src/commands/_catalog.ts";
import { binaryPath, runBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/temp.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const ESC = "\u001b";

/** The binary under a pseudo-terminal (util-linux `script`): what a person's terminal shows. */
async function onTerminal(args: string[], env: Record<string, string> = {}) {
  const quoted = [binaryPath(), ...args].map((arg) => `'${arg}'`).join(" ");
  const child = Bun.spawn(["script", "-qec", quoted, "/dev/null"], {
    cwd: tempDir("csh-tty-"),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      TERM: "xterm-256color",
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return { code, out };
}

describe("--help", () => {
  test("every command's help fits 80 columns, in plain text, with examples", async () => {
    for (const command of ["", ...COMMAND_NAMES]) {
      const result = await runBinary(command ? [command, "--help"] : ["--help"]);
      expect(result.code).toBe(0);
      for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
      expect(result.stdout).not.toContain(ESC);
      if (command) expect(result.stdout).toContain(`Examples:\n  crusoe-splunk-hec ${command}`);
      else {
        for (const name of COMMAND_NAMES) expect(result.stdout).toContain(`  ${name} `);
        expect(result.stdout).toContain("Examples:\n  crusoe-splunk-hec ");
      }
    }
  });

  test("time flags state their unit; flags are grouped; only the flags that apply", async () => {
    const forward = (await runBinary(["forward", "--help"])).stdout;
    for (const flag of ["lookback", "overlap", "lag", "chunk"])
      expect(forward).toMatch(new RegExp(`--${flag} SECONDS `));
    const order = ["Connection:", "Window (SECONDS", "Filters", "Output:"].map((title) =>
      forward.indexOf(title),
    );
    expect(order.every((at, i) => at > (order[i - 1] ?? -1))).toBe(true);
    expect(forward).toContain("--dry-run");

    const daemon = (await runBinary(["daemon", "--help"])).stdout;
    expect(daemon).not.toContain("--dry-run");
    expect(daemon).toMatch(/--interval SECONDS/);
    const recent = (await runBinary(["forward-recent", "--help"])).stdout;
    expect(recent).toMatch(/--hours HOURS/);
    expect(recent).not.toContain("--lookback");
    const status = (await runBinary(["status", "--help"])).stdout;
    expect(status).toMatch(/--max-lag SECONDS/);
    expect(status).not.toContain("--dry-run");
  });

  test("no colour on a terminal either, nor with NO_COLOR, nor in errors", async () => {
    for (const args of [["--help"], ["forward", "--help"], ["froward"], ["forward", "--lookbak"]]) {
      const tty = await onTerminal(args);
      expect(tty.out.length).toBeGreaterThan(20);
      expect(tty.out).not.toContain(ESC);
      const noColor = await onTerminal(args, { NO_COLOR: "1" });
      expect(noColor.out).not.toContain(ESC);
    }
  });
});

describe("conventional forms and typos", () => {
  test("help <command> and version work like --help and --version", async () => {
    const [help, flag, version, versionFlag, bare] = await Promise.all([
      runBinary(["help", "daemon"]),
      runBinary(["daemon", "--help"]),
      runBinary(["version"]),
      runBinary(["--version"]),
      runBinary(["help"]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(versionFlag.stdout);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain("Commands:");
  });

  test("a mistyped command or flag gets a suggestion and exit 2", async () => {
    const command = await runBinary(["froward"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "froward": did you mean "forward"?');
    const viaHelp = await runBinary(["help", "stauts"]);
    expect(viaHelp.code).toBe(2);
    expect(viaHelp.stderr).toContain('did you mean "status"?');
    const flag = await runBinary(["forward", "--ovrlap", "60"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown flag --ovrlap for forward: did you mean --overlap?");
    const substituted = await runBinary(["forward", "--lookbeck", "60"]);
    expect(substituted.stderr).toContain("did you mean --lookback?");
    const far = await runBinary(["zzz"]);
    expect(far.stderr).not.toContain("did you mean");
  });
});

test("the tests' binary is not built into dist/ (a test build must never pass for a release)", () => {
  if (process.env.CSH_BINARY) return; // CI builds the release and hands it to the tests
  expect(binaryPath().startsWith(join(import.meta.dirname, "..", "..", "dist"))).toBe(false);
});
