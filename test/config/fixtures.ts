// A valid configuration, and small helpers to load variations of it in-process.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LoadedConfig, loadConfig } from "../../src/config/load.ts";
import type { Needs } from "../../src/config/resolve.ts";
import { tempDir as makeTempDir } from "../helpers/temp.ts";

export const ORG_ID = "0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192";
export const KEY_ID = "TESTKEYID0123456789abc";
export const SECRET = "AAECAwQFBgcICQoLDA0ODw";
export const HEC_TOKEN = "5b3c2f4e-1d6a-4b8c-9e0f-a1b2c3d4e5f6";

export const NEEDS_ALL: Needs = { crusoeAuth: true, orgId: true, sink: true };

/** Everything a forwarding run needs, valid. */
export function validEnv(stateDir = "/tmp/csh-unused-state"): Record<string, string> {
  return {
    CRUSOE_ORG_ID: ORG_ID,
    CRUSOE_ACCESS_KEY_ID: KEY_ID,
    CRUSOE_SECRET_ACCESS_KEY: SECRET,
    SPLUNK_HEC_URL: "https://splunk.example.com:8088",
    SPLUNK_HEC_TOKEN: HEC_TOKEN,
    STATE_DIR: stateDir,
  };
}

export function tempDir(prefix = "csh-config-"): string {
  return makeTempDir(prefix);
}

/** Write files into a fresh temp dir; returns the dir. */
export function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export interface LoadArgs {
  env?: Record<string, string | undefined>;
  flags?: Record<string, unknown>;
  cwd?: string;
  envFile?: string;
  needs?: Needs;
}

/** loadConfig as config-check calls it: problems collected, not thrown. */
export function load(args: LoadArgs = {}): LoadedConfig {
  return loadConfig({
    flags: args.flags ?? {},
    env: args.env ?? {},
    cwd: args.cwd ?? tempDir(),
    envFile: args.envFile,
    needs: args.needs ?? NEEDS_ALL,
    collectProblems: true,
  });
}

/** The problems of a valid config changed by `change` (undefined deletes a variable). */
export function problemsWith(change: Record<string, string | undefined>): string[] {
  const env: Record<string, string | undefined> = { ...validEnv(), ...change };
  return load({ env }).problems;
}
