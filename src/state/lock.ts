// One writer per stream (DESIGN.md "Locking"). The record names its holder so a blocked run can
// say who holds the lock and since when; the token proves ownership for renew and release.
import { hostname } from "node:os";
import { randomHex } from "../random-hex.ts";
import { parseRfc3339 } from "../time.ts";
import { isFiniteNumber, isRecord } from "./documents.ts";

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  expiresAt: string;
  token?: never;
}

export interface Lease {
  readonly holder: LockHolder;
  /** Extends the lease by its ttl; false when the lock was lost (expired and taken over). */
  renew(): Promise<boolean>;
  /** After renew() returned false: what happened (taken over by whom, or the lock vanished). */
  readonly lostReason?: string;
  release(): Promise<void>;
}

export interface LockManager {
  /** Try once; returns the lease, or the current holder when held by someone else (never throws for "held"). */
  tryAcquire(ttlMs: number): Promise<{ lease: Lease } | { heldBy: LockHolder }>;
  holder(): Promise<LockHolder | undefined>;
}

/** What the lock file or key holds. */
export interface LockRecord {
  pid: number;
  host: string;
  token: string;
  since: string;
  expiresAt: string;
}

export function newLockRecord(ttlMs: number, now = Date.now()): LockRecord {
  return {
    pid: process.pid,
    host: hostname(),
    token: randomHex(16),
    since: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
  };
}

export function extendLockRecord(record: LockRecord, ttlMs: number): LockRecord {
  return { ...record, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
}

export function holderOf(record: LockRecord): LockHolder {
  return { pid: record.pid, host: record.host, since: record.since, expiresAt: record.expiresAt };
}

/** Why a renew found someone else's record (or nothing) where ours should be. */
export function describeLoss(
  current: LockRecord | undefined,
  where: string,
  vanished: string,
): string {
  if (!current) return `the lock ${where} disappeared: ${vanished}`;
  return `the lock lease was taken over by another run: pid ${current.pid} on ${current.host} since ${current.since}`;
}

export function parseLockRecord(text: string | null | undefined): LockRecord | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (
      isRecord(value) &&
      isFiniteNumber(value.pid) &&
      typeof value.host === "string" &&
      typeof value.token === "string" &&
      typeof value.since === "string" &&
      typeof value.expiresAt === "string"
    ) {
      return value as unknown as LockRecord;
    }
  } catch {}
  return undefined;
}

export function isExpired(record: LockRecord, now = Date.now()): boolean {
  const expires = parseRfc3339(record.expiresAt);
  return !(expires !== undefined && expires > now);
}

/** True unless the pid is known to be gone; only meaningful for a pid on this host. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
