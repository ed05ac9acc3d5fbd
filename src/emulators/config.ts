// A resolved config pointing at the built-in emulators: used by selftest, tests and the bench.
import { join } from "node:path";
import type { HecConfig, ResolvedConfig } from "../config/types.ts";
import type { CrusoeEmulator } from "./crusoe.ts";
import type { HecEmulator } from "./hec.ts";

export function configForEmulators(
  crusoe: CrusoeEmulator,
  hec: HecEmulator,
  stateDir: string,
): ResolvedConfig {
  return {
    crusoe: {
      baseUrl: crusoe.baseUrl,
      orgId: crusoe.orgId,
      auth: {
        kind: "signed",
        accessKeyId: crusoe.accessKeyId,
        secretAccessKey: crusoe.secretAccessKey,
      },
      pageSize: 500,
      timeoutMs: 10_000,
      maxRetries: 3,
      filters: {},
    },
    hec: hecConfigFor(hec),
    sink: "hec",
    state: {
      dir: stateDir,
      deadLetterFile: join(stateDir, "dead-letter.ndjson"),
      lockTtlMs: 60_000,
    },
    window: {
      lookbackSeconds: 3 * 3600,
      overlapSeconds: 300,
      lagSeconds: 15,
      chunkSeconds: 3600,
      concurrency: 1,
      dedupRetentionSeconds: 86_400,
      dedupBufferSeconds: 60,
      dedupEnabled: true,
    },
    dryRun: false,
  };
}

/** Production defaults pointed at a HEC emulator. */
export function hecConfigFor(
  hec: { url: string; token: string },
  overrides: Partial<HecConfig> = {},
): HecConfig {
  return {
    url: hec.url,
    token: hec.token,
    source: "crusoe_api",
    sourcetype: "crusoe:audit",
    host: "selftest",
    tls: { verify: true },
    batchSize: 10_000,
    maxBatchBytes: 1_000_000,
    gzip: true,
    concurrency: 2,
    ack: false,
    ackPollSeconds: 10,
    ackTimeoutSeconds: 300,
    timeoutMs: 10_000,
    maxRetries: 3,
    ...overrides,
  };
}

/** The environment that points the binary at the emulators (tests and the bench). */
export function emulatorEnv(
  crusoe: { baseUrl: string; orgId: string; accessKeyId: string; secretAccessKey: string },
  hec: { url: string; token: string },
  stateDir: string,
): Record<string, string> {
  return {
    CRUSOE_BASE_URL: crusoe.baseUrl,
    CRUSOE_ORG_ID: crusoe.orgId,
    CRUSOE_ACCESS_KEY_ID: crusoe.accessKeyId,
    CRUSOE_SECRET_ACCESS_KEY: crusoe.secretAccessKey,
    SPLUNK_HEC_URL: hec.url,
    SPLUNK_HEC_TOKEN: hec.token,
    STATE_DIR: stateDir,
  };
}
