// The real compiled binary, built once per test run (or taken from CSH_BINARY, which CI sets
// after `bun run build`), run as a subprocess from a temp directory.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { trackChild } from "./children.ts";
import { tempDir } from "./temp.ts";

const root = join(import.meta.dirname, "..", "..");
let built: string | undefined;

export function binaryPath(): string {
  if (built) return built;
  const fromCi = process.env.CSH_BINARY;
  if (fromCi && existsSync(fromCi)) {
    built = fromCi;
    return built;
  }
  const result = Bun.spawnSync(["bun", "run", "scripts/build.ts", "--target", "bun-linux-x64"], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (!result.success) throw new Error(`building the binary failed:\n${result.stderr.toString()}`);
  built = join(root, "dist", "crusoe-splunk-hec-linux-x64");
  return built;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/** Only what the test gives: the binary must not depend on the developer's environment. */
function childEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...env,
  };
  return Object.fromEntries(
    Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The child is killed after the test even if an assertion fails first (test/setup.ts). */
export function spawnBinary(args: string[], options: RunOptions = {}) {
  return trackChild(
    Bun.spawn([binaryPath(), ...args], {
      cwd: options.cwd ?? tempDir("csh-cwd-"),
      env: childEnv(options.env),
      stdout: "pipe",
      stderr: "pipe",
    }),
  );
}

export async function runBinary(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnBinary(args, options);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

// Build when a test file that needs the binary is loaded, outside any test's timeout: on a busy
// machine the build outlasts the 5 s default a file gets (the preload's setDefaultTimeout reaches
// only the first file), the build is killed, and every test of the file fails.
binaryPath();
