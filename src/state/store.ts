// The forwarder's memory for one stream: dedup ids, checkpoints, lock and last-run status, on
// the filesystem (default) or in Redis. DESIGN.md "Semantics users rely on" is the contract.
import type { StateConfig } from "../config/types.ts";
import { logger } from "../log.ts";
import type { BeforeRename } from "./atomic-file.ts";
import type { Backend } from "./backend.ts";
import { openFsBackend } from "./backend-fs.ts";
import {
  type CheckpointStore,
  createCheckpointStore,
  isCheckpointDoc,
  isRangeDoc,
} from "./checkpoint.ts";
import { createDedupStore, type DedupStore, readBucket } from "./dedup.ts";
import { corruptSuffix, type DocStore, readDoc, type Validate } from "./documents.ts";
import { CorruptStateError } from "./errors.ts";
import { checkStateDirPermissions } from "./file-safety.ts";
import type { LockManager } from "./lock.ts";
import { type Persistence, persistenceWarning } from "./redis-persistence.ts";
import { redisEndpoint } from "./redis-url.ts";
import { createStatusStore, isRunStatus, type StatusStore } from "./status.ts";

export interface StateStore {
  readonly kind: "fs" | "redis";
  /** For display: the directory, or the Redis URL with its password redacted. */
  readonly location: string;
  /** Stream id. */
  readonly stream: string;
  dedup: DedupStore;
  checkpoints: CheckpointStore;
  locks: LockManager;
  status: StatusStore;
  /** Writable check / Redis PING; throws StateError on failure. */
  ping(): Promise<void>;
  /** Whether the state survives a restart of the store (Redis RDB/AOF). */
  persistence(): Promise<Persistence>;
  /**
   * Read every document a run reads, with the run's validation (dedup hours within retention of
   * nowMs); throws CorruptStateError naming the first bad one. For `health`.
   */
  verify(nowMs: number, retentionMs: number): Promise<void>;
  /** Every stream id kept in the same directory or Redis (this one included, once it has state). */
  streams(): Promise<string[]>;
  /** Reset the stream's state; corrupt documents are moved aside as `<name>.corrupt-<timestamp>`. */
  clear(): Promise<{ movedAside: string[] }>;
  /** Dispose unstorage (an open ioredis socket would keep the process alive). */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Test seam for crash simulation on the fs store: runs between temp-file fsync and rename. */
  beforeRename?: BeforeRename;
}

export async function openStateStore(
  config: StateConfig,
  stream: string,
  options: OpenOptions = {},
): Promise<StateStore> {
  // The id becomes a directory name and a key segment.
  if (!/^\w[\w.-]*$/.test(stream))
    throw new TypeError(`invalid stream id ${JSON.stringify(stream)}`);
  let backend: Backend;
  if (config.redisUrl) {
    // Fixed-string import: bundled by `bun build --compile`, never loaded for fs users.
    const { openRedisBackend } = await import("./backend-redis.ts");
    backend = await openRedisBackend(config.redisUrl, stream, config.lockTtlMs);
    try {
      await backend.ping(); // "Redis is down" now, in ~2 s, rather than mid-run
    } catch (error) {
      await backend.close();
      throw error;
    }
    const { durable } = await backend.persistence();
    if (durable === false) logger.warn(persistenceWarning(redisEndpoint(config.redisUrl)));
  } else {
    await checkStateDirPermissions(config.dir, stream);
    backend = openFsBackend(config.dir, stream, options.beforeRename);
  }
  const { docs } = backend;
  const dedup = createDedupStore(docs);
  const checkpoints = createCheckpointStore(docs);
  const status = createStatusStore(docs);
  return {
    kind: backend.kind,
    location: backend.location,
    stream,
    dedup,
    checkpoints,
    locks: backend.locks,
    status,
    ping: () => backend.ping(),
    persistence: () => backend.persistence(),
    async verify(nowMs, retentionMs) {
      await checkpoints.get();
      await status.read();
      for (const key of await docs.keys("range")) await readDoc(docs, key, isRangeDoc);
      await dedup.load(nowMs, retentionMs);
    },
    streams: () => backend.streams(),
    clear: () => clearStream(docs),
    close: () => backend.close(),
  };
}

/** Documents of a stream; anything else (the lock, documents already moved aside) is left alone. */
const DOCUMENT_KEY = /^(checkpoint\.json|status\.json|range:[\w-]+\.json|dedup:[\w-]+\.json)$/;

async function clearStream(docs: DocStore): Promise<{ movedAside: string[] }> {
  const movedAside: string[] = [];
  const suffix = corruptSuffix();
  for (const key of await docs.keys()) {
    if (!DOCUMENT_KEY.test(key)) continue;
    if (await isCorrupt(docs, key)) movedAside.push(await docs.moveAside(key, suffix));
    else await docs.remove(key);
  }
  return { movedAside };
}

/** Fails exactly where a run would; valid documents carry nothing worth inspecting. */
async function isCorrupt(docs: DocStore, key: string): Promise<boolean> {
  try {
    if (key.startsWith("dedup:")) await readBucket(docs, key);
    else await readDoc(docs, key, validatorFor(key));
    return false;
  } catch (error) {
    if (error instanceof CorruptStateError) return true;
    throw error;
  }
}

function validatorFor(key: string): Validate<unknown> {
  if (key === "checkpoint.json") return isCheckpointDoc;
  if (key === "status.json") return isRunStatus;
  return isRangeDoc;
}
