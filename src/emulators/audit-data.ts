// A deterministic, realistic audit-log data set for the emulator, tests, selftest and bench.
import type { AuditLogEntry } from "../crusoe/entry.ts";

// mulberry32: tiny, fast, and the same sequence on every runtime for a given seed.
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const ACTIONS = [
  "Create",
  "Update",
  "Delete",
  "Start",
  "Stop",
  "Reboot",
  "Attach",
  "Detach",
] as const;
const TARGET_TYPES = [
  "VM",
  "Disk",
  "VPC Network",
  "Firewall Rule",
  "SSH Key",
  "Kubernetes Cluster",
  "Image",
];
const SURFACES = [
  "Crusoe Terraform/v0.5.21",
  "Crusoe CLI/v0.25.1",
  "Console",
  "API",
  "client-go/v0.1.52",
];
const LOCATIONS = ["us-east1-a", "us-northcentral1-a", "us-southcentral1-a", "eu-iceland1-a"];
const FAILURES: Record<string, string> = {
  "Bad Request": "invalid instance type: a100-80gb.99x",
  Forbidden: "user is not allowed to perform this action",
  "Internal Error": "internal error, please retry",
};
const PEOPLE = [
  ["ada@example.com", "User"],
  ["grace.hopper+ops@example.com", "User"],
  ["ci-bot@example.com", "Service Account"],
  ["support@crusoe.ai", "Crusoe Admin"],
] as const;

export interface AuditDataOptions {
  startMs: number;
  endMs: number;
  seed?: number;
  orgId?: string;
}

/**
 * `count` entries with start_time (milliseconds) spread over [startMs, endMs), in time order.
 * Every 10th shares its predecessor's start_time; every 25th differs from its predecessor
 * only in targets, every 40th only in result: an identity built from a few fields would drop them.
 */
export function generateAuditEntries(count: number, opts: AuditDataOptions): AuditLogEntry[] {
  const random = createRandom(opts.seed ?? 1);
  const orgId = opts.orgId ?? "0f8c5a7e-3b7d-4c1e-9a2b-6d4e5f708192";
  const projects = Array.from({ length: 4 }, (_, i) => ({
    id: uuid(random),
    name: `project-${i + 1}`,
  }));
  const actorIds = PEOPLE.map(() => uuid(random));
  const span = Math.max(1, opts.endMs - opts.startMs);
  const entries: AuditLogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const prev = entries[i - 1];
    if (prev && i % 25 === 0) {
      const id = uuid(random);
      entries.push({ ...prev, target_ids: [id], target_names: [`vm-${id.slice(0, 6)}`] });
      continue;
    }
    if (prev && i % 40 === 0) {
      entries.push({ ...prev, result: prev.result === "OK" ? "Bad Request" : "OK" });
      continue;
    }
    const timeMs =
      prev && i % 10 === 0
        ? Date.parse(prev.start_time as string)
        : opts.startMs + Math.floor(((i + random() * 0.9) * span) / count);
    const person = random() < 0.1 ? (["system", "System"] as const) : pick(random, PEOPLE);
    const actorIndex = PEOPLE.findIndex((p) => p[0] === person[0]);
    const project = pick(random, projects);
    const result = random() < 0.9 ? "OK" : pick(random, Object.keys(FAILURES));
    const targetType = pick(random, TARGET_TYPES);
    const targetId = uuid(random);
    const action = pick(random, ACTIONS);
    const location = pick(random, LOCATIONS);
    entries.push({
      action,
      action_detail: `${action} ${targetType}`,
      actor_id: actorIndex < 0 ? "system" : actorIds[actorIndex],
      actor_email: actorIndex < 0 ? "" : person[0],
      actor_type: person[1],
      client_ip: `203.0.113.${Math.floor(random() * 254) + 1}:${40000 + Math.floor(random() * 20000)}`,
      start_time: new Date(timeMs).toISOString(),
      end_time: new Date(timeMs + 5 + Math.floor(random() * 900)).toISOString(),
      error_message: result === "OK" ? "" : FAILURES[result],
      // Crusoe's docs show list fields as "[a]" strings, the spec as arrays: serve both shapes.
      locations: i % 50 === 7 ? `[${location}]` : [location],
      organization_id: orgId,
      organization_name: "Example Org",
      project_id: project.id,
      project_name: project.name,
      result,
      surface: pick(random, SURFACES),
      target_ids: [targetId],
      target_names: [`${targetType.toLowerCase().replace(/ /g, "-")}-${targetId.slice(0, 6)}`],
      target_type: targetType,
    });
  }
  return entries;
}
