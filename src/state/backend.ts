// What each store (fs, Redis) provides; store.ts builds the public StateStore on top.
import type { DocStore } from "./documents.ts";
import type { LockManager } from "./lock.ts";
import type { Persistence } from "./redis-persistence.ts";

export interface Backend {
  readonly kind: "fs" | "redis";
  readonly location: string;
  readonly docs: DocStore;
  readonly locks: LockManager;
  ping(): Promise<void>;
  /** Whether the store survives a restart (a Redis without RDB/AOF does not). */
  persistence(): Promise<Persistence>;
  close(): Promise<void>;
}
