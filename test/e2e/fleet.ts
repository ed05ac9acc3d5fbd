// Two Crusoe orgs, one HEC with two indexes and a config file naming three streams (issue 12).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuditLogEntry } from "../../src/crusoe/entry.ts";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { type CrusoeEmulator, startCrusoeEmulator } from "../../src/emulators/crusoe.ts";
import { type HecEmulator, startHecEmulator } from "../../src/emulators/hec.ts";
import { spawnBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/temp.ts";
import { waitFor } from "./world.ts";

export const ORG_B = "5d2f7a90-1c3b-4e6d-8f0a-2b4c6d8e0f13";

export interface Fleet {
  orgA: CrusoeEmulator;
  orgB: CrusoeEmulator;
  entriesA: AuditLogEntry[];
  entriesB: AuditLogEntry[];
  hec: HecEmulator;
  dir: string;
  stateDir: string;
  /** The config file (YAML) naming the three streams. */
  config: string;
  env: Record<string, string>;
  idsIn(index: string): string[];
}

export async function startFleet(extraDefaults = ""): Promise<Fleet> {
  const now = Date.now();
  const window = { startMs: now - 2 * 3600_000, endMs: now - 60_000 };
  const entriesA = generateAuditEntries(600, { ...window, seed: 5 });
  const entriesB = generateAuditEntries(400, { ...window, seed: 6 });
  const orgA = await startCrusoeEmulator({ entries: entriesA });
  const orgB = await startCrusoeEmulator({ entries: entriesB, orgId: ORG_B });
  const hec = await startHecEmulator({ allowedIndexes: ["audit_a", "audit_b"] });
  const dir = tempDir("csh-streams-");
  const stateDir = join(dir, "state");
  const config = join(dir, "streams.yaml");
  const hecTokenFile = join(dir, "hec-token");
  writeFileSync(hecTokenFile, `${hec.token}\n`, { mode: 0o600 });
  writeFileSync(
    config,
    `defaults:
  SPLUNK_HEC_URL: ${hec.url}
  SPLUNK_HEC_TOKEN_FILE: ${hecTokenFile}
  CRUSOE_ACCESS_KEY_ID: ${orgA.accessKeyId}
  STATE_DIR: ${stateDir}
  LOOKBACK_SECONDS: 10800
  MAX_RETRIES: 1
  REQUEST_TIMEOUT: 5
${extraDefaults}streams:
  - name: org-a
    CRUSOE_BASE_URL: ${orgA.baseUrl}
    CRUSOE_ORG_ID: ${orgA.orgId}
    SPLUNK_INDEX: audit_a
  - name: org-a.deletes
    CRUSOE_BASE_URL: ${orgA.baseUrl}
    CRUSOE_ORG_ID: ${orgA.orgId}
    CRUSOE_FILTER_ACTIONS: [Delete]
    SPLUNK_INDEX: audit_b
  - name: org-b
    CRUSOE_BASE_URL: ${orgB.baseUrl}
    CRUSOE_ORG_ID: ${orgB.orgId}
    SPLUNK_INDEX: audit_b
`,
    { mode: 0o600 },
  );
  // The secret comes from the environment: below every layer of the file, like any default.
  const env = { CRUSOE_SECRET_ACCESS_KEY: orgA.secretAccessKey, CONFIG_FILE: config };
  const idsIn = (index: string) =>
    hec.accepted
      .filter((envelope) => envelope.index === index)
      .map((envelope) => (envelope.fields as Record<string, string>).crusoe_event_id as string);
  return { orgA, orgB, entriesA, entriesB, hec, dir, stateDir, config, env, idsIn };
}

export async function closeFleet(fleet: Fleet | undefined): Promise<void> {
  await Promise.all([fleet?.orgA.close(), fleet?.orgB.close(), fleet?.hec.close()]);
}

/** stderr as it arrives (the daemon logs where its metrics listen). */
export function collect(stream: ReadableStream<Uint8Array>): { text: () => string } {
  let text = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })().catch(() => {});
  return { text: () => text };
}

/** One sample of the exposition, e.g. events_delivered_total{stream="org-b"}. */
export function sampleOf(exposition: string, name: string, labels: string): number | undefined {
  const line = exposition
    .split("\n")
    .find((l) => l.startsWith(`crusoe_splunk_hec_${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

export async function startDaemon(f: Fleet, env: Record<string, string> = {}) {
  const daemon = spawnBinary(["daemon", "--metrics-listen", "127.0.0.1:0"], {
    env: { ...f.env, ...env },
  });
  const stderr = collect(daemon.stderr);
  await waitFor(() => /metrics on http:\/\/(\S+)\/metrics/.test(stderr.text()), 30_000);
  const address = /metrics on http:\/\/(\S+)\/metrics/.exec(stderr.text())?.[1];
  return { daemon, stderr, base: `http://${address}` };
}

/** The streams whose lease this daemon holds, from its /metrics. */
export async function leasesOf(base: string): Promise<string[]> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return [...text.matchAll(/^crusoe_splunk_hec_lease_active\{stream="([^"]+)"\} 1$/gm)].map(
    (m) => m[1] as string,
  );
}
