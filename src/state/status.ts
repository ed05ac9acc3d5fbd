// The record of the last run, for `status`: outcome, counts, checkpoint, lag, last error.
import { type DocStore, isFiniteNumber, isRecord, readDoc, writeDoc } from "./documents.ts";

/** What a stream is, so `status --all` can show it: its id is only a hash of these. */
export interface StreamDescriptor {
  orgId: string;
  filters: Record<string, string[]>;
  destination: string;
}

export interface RunStatus {
  command: string;
  startedAt: string;
  endedAt: string;
  outcome: "ok" | "failed" | "dead-lettered" | "interrupted";
  fetched: number;
  delivered: number;
  duplicates: number;
  deadLettered: number;
  retries: number;
  checkpoint?: string;
  lagSeconds?: number;
  lastError?: string;
  stream?: StreamDescriptor;
}

export interface StatusStore {
  read(): Promise<RunStatus | undefined>;
  write(status: RunStatus): Promise<void>;
}

const STATUS_KEY = "status.json";
const OUTCOMES = new Set(["ok", "failed", "dead-lettered", "interrupted"]);
const COUNTS = ["fetched", "delivered", "duplicates", "deadLettered", "retries"] as const;

export function createStatusStore(docs: DocStore): StatusStore {
  return {
    read: () => readDoc(docs, STATUS_KEY, isRunStatus),
    // Overwritten without reading first: a bad status record is history, not memory, and the
    // next run's record replacing it loses nothing the forwarder relies on.
    write: (status) => writeDoc(docs, STATUS_KEY, status),
  };
}

export function isRunStatus(value: unknown): value is RunStatus {
  return (
    isRecord(value) &&
    typeof value.command === "string" &&
    typeof value.startedAt === "string" &&
    typeof value.endedAt === "string" &&
    OUTCOMES.has(value.outcome as string) &&
    COUNTS.every((name) => isFiniteNumber(value[name])) &&
    (value.checkpoint === undefined || typeof value.checkpoint === "string") &&
    (value.lagSeconds === undefined || isFiniteNumber(value.lagSeconds)) &&
    (value.lastError === undefined || typeof value.lastError === "string") &&
    (value.stream === undefined || isDescriptor(value.stream))
  );
}

function isDescriptor(value: unknown): value is StreamDescriptor {
  return (
    isRecord(value) &&
    typeof value.orgId === "string" &&
    typeof value.destination === "string" &&
    isRecord(value.filters)
  );
}
