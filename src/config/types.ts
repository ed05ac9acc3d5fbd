// The resolved configuration the core receives: fully defaulted and validated.
// Only src/config/ reads the environment; everything else takes these types.

export type SinkKind = "hec" | "stdout";
export type LogFormat = "text" | "json";

/** Audit-log filters, named exactly like the API's query parameters. */
export const AUDIT_FILTER_NAMES = [
  "project_ids",
  "actions",
  "actor_ids",
  "actor_emails",
  "actor_types",
  "target_ids",
  "target_types",
  "target_names",
  "locations",
  "results",
  "results_not",
  "surfaces",
] as const;
export type AuditFilterName = (typeof AUDIT_FILTER_NAMES)[number];
/** Each filter goes on the wire as ONE comma-joined value. */
export type AuditFilters = Partial<Record<AuditFilterName, string[]>>;

export type CrusoeAuth =
  | { kind: "signed"; accessKeyId: string; secretAccessKey: string }
  /** Legacy unsigned `Bearer <token>` (CRUSOE_API_TOKEN): compatibility only. */
  | { kind: "token"; token: string };

export interface CrusoeConfig {
  /** e.g. https://api.cloud.crusoe.ai/v1, no trailing slash. */
  baseUrl: string;
  orgId: string;
  auth: CrusoeAuth;
  /** `limit` per page (CRUSOE_PAGE_SIZE, 1..1000, default 100). */
  pageSize: number;
  /** Per-request timeout (REQUEST_TIMEOUT seconds, default 30). */
  timeoutMs: number;
  /** Retries after the first attempt (MAX_RETRIES, default 3). */
  maxRetries: number;
  filters: AuditFilters;
}

export interface HecTlsConfig {
  /** SPLUNK_VERIFY_SSL (default true). */
  verify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface HecConfig {
  /** As the user gave it: https://host:8088, .../services/collector or .../services/collector/event. */
  url: string;
  token: string;
  index?: string;
  source: string;
  sourcetype: string;
  host: string;
  tls: HecTlsConfig;
  /** BATCH_SIZE (default 100). */
  batchSize: number;
  /** SPLUNK_MAX_BATCH_BYTES, uncompressed (default 1_000_000). */
  maxBatchBytes: number;
  /** SPLUNK_GZIP (default true). */
  gzip: boolean;
  /** SPLUNK_CONCURRENCY requests in flight (default 2). */
  concurrency: number;
  /** SPLUNK_HEC_ACK (default false). */
  ack: boolean;
  ackPollSeconds: number;
  ackTimeoutSeconds: number;
  timeoutMs: number;
  maxRetries: number;
}

export interface StateConfig {
  /** A config file's stream name: the state key (the settings' hash otherwise). */
  streamName?: string;
  /** Filesystem state directory (also where the dead-letter file lives by default). */
  dir: string;
  /** redis:// or rediss:// when state lives in Redis. */
  redisUrl?: string;
  deadLetterFile: string;
  /** Lock lease: renewed while running; a crashed holder's lock lapses after this. */
  lockTtlMs: number;
}

export interface WindowConfig {
  lookbackSeconds: number;
  overlapSeconds: number;
  lagSeconds: number;
  chunkSeconds: number;
  /** Chunks fetched at once. */
  concurrency: number;
  dedupRetentionSeconds: number;
  dedupBufferSeconds: number;
  dedupEnabled: boolean;
}

export interface ResolvedConfig {
  crusoe: CrusoeConfig;
  hec: HecConfig;
  sink: SinkKind;
  state: StateConfig;
  window: WindowConfig;
  dryRun: boolean;
}
