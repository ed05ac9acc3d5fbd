// Validate raw settings into the narrow, fully-defaulted config the core receives.
// Every problem is one line naming the variable or flag; all are collected, the first is thrown.
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { checkReadableFile, checkRedisUrl, checkStateDir } from "./check-paths.ts";
import type { RawSettings } from "./gather.ts";
import {
  describeSource,
  isLoopback,
  parseBool,
  parseHttpUrl,
  parseList,
  parseNumber,
} from "./parse.ts";
import { SETTING_BY_KEY } from "./settings.ts";
import {
  AUDIT_FILTER_NAMES,
  type AuditFilters,
  type CrusoeAuth,
  type ResolvedConfig,
  type SinkKind,
} from "./types.ts";

/** What a command needs: `forward` needs everything, `status` only the stream identity. */
export interface Needs {
  crusoeAuth: boolean;
  orgId: boolean;
  sink: boolean;
}

export interface Resolution {
  config: ResolvedConfig;
  problems: string[];
  warnings: string[];
  /** Typed values of settings that live outside ResolvedConfig (interval, log level, …). */
  extras: { interval: number; logLevel: string; logFormat: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function resolveConfig(
  raw: RawSettings,
  needs: Needs,
  env: Record<string, string | undefined>,
): Resolution {
  const problems: string[] = [];
  const warnings: string[] = [];
  const str = (key: string) => raw.get(key)?.value.trim() || undefined;
  const nameOf = (key: string) => describeSource(setting(key), raw.get(key));
  const num = (key: string) => {
    const value = raw.get(key);
    return value ? parseNumber(setting(key), value, problems) : Number.NaN;
  };
  const bool = (key: string) => {
    const value = raw.get(key);
    return value ? parseBool(setting(key), value, problems) : false;
  };
  const choice = (key: string) => {
    const value = str(key) ?? "";
    const def = setting(key);
    if (def.choices && !def.choices.includes(value)) {
      problems.push(
        `${describeSource(def, raw.get(key))}: "${value}" is not one of ${def.choices.join(", ")}`,
      );
    }
    return value;
  };

  const orgId = str("orgId") ?? "";
  if (needs.orgId && !orgId) problems.push("CRUSOE_ORG_ID is not set (or pass --org-id)");
  else if (orgId && !UUID.test(orgId))
    problems.push(
      `${describeSource(setting("orgId"), raw.get("orgId"))}: "${orgId}" is not a UUID`,
    );

  const baseUrlRaw = raw.get("baseUrl");
  const baseUrl = migrateBaseUrl(
    baseUrlRaw && parseHttpUrl(setting("baseUrl"), baseUrlRaw, problems),
    warnings,
  );
  if (baseUrl?.protocol === "http:" && !isLoopback(baseUrl)) {
    warnings.push(
      `CRUSOE_BASE_URL uses plain http to ${baseUrl.host}: requests travel unencrypted`,
    );
  }

  const auth = resolveAuth(str, needs.crusoeAuth, problems);
  const sink = choice("sink") as SinkKind;
  const hecUrlRaw = raw.get("hecUrl");
  const hecUrl = hecUrlRaw ? parseHttpUrl(setting("hecUrl"), hecUrlRaw, problems) : undefined;
  const hecToken = str("hecToken") ?? "";
  if (needs.sink && sink === "hec") {
    if (!hecUrlRaw) problems.push("SPLUNK_HEC_URL is not set (or use --sink stdout)");
    if (!hecToken) problems.push("SPLUNK_HEC_TOKEN is not set (or SPLUNK_HEC_TOKEN_FILE)");
  }
  if (hecUrl?.protocol === "http:" && !isLoopback(hecUrl)) {
    warnings.push(
      `SPLUNK_HEC_URL uses plain http to ${hecUrl.host}: the HEC token travels unencrypted`,
    );
  }
  const verify = bool("verifySsl");
  if (!verify && sink === "hec") {
    warnings.push(
      "SPLUNK_VERIFY_SSL=false: Splunk's certificate is NOT verified; anyone on the path can read the token and events",
    );
  }

  const redisUrl = str("redisUrl");
  if (redisUrl) checkRedisUrl(nameOf("redisUrl"), redisUrl, problems);

  const stateDir = str("stateDir") ?? defaultStateDir(env);
  checkStateDir(raw.has("stateDir") ? nameOf("stateDir") : "state dir", stateDir, problems);
  for (const key of ["caFile", "certFile", "keyFile"]) {
    const path = str(key);
    if (path) checkReadableFile(nameOf(key), path, problems);
  }
  const overlap = num("overlap");
  const dedupBuffer = num("dedupBuffer");
  let retention = num("dedupRetention");
  if (retention < overlap + dedupBuffer) {
    warnings.push(
      `--dedup-retention raised to ${overlap + dedupBuffer} s (never below overlap + dedup buffer)`,
    );
    retention = overlap + dedupBuffer;
  }
  const requestTimeoutMs = Math.round(num("requestTimeout") * 1000);
  const maxRetries = num("maxRetries");

  const config: ResolvedConfig = {
    crusoe: {
      baseUrl: (baseUrl?.href ?? "").replace(/\/+$/, ""),
      orgId,
      auth,
      pageSize: num("pageSize"),
      timeoutMs: requestTimeoutMs,
      maxRetries,
      filters: resolveFilters(raw),
    },
    hec: {
      url: hecUrl?.href ?? "",
      token: hecToken,
      index: str("index"),
      source: str("source") ?? "crusoe_api",
      sourcetype: str("sourcetype") ?? "crusoe:audit",
      host: str("host") ?? hostname(),
      tls: {
        verify,
        caFile: str("caFile"),
        certFile: str("certFile"),
        keyFile: str("keyFile"),
        serverName: str("serverName"),
      },
      batchSize: num("batchSize"),
      maxBatchBytes: num("maxBatchBytes"),
      gzip: bool("gzip"),
      concurrency: num("hecConcurrency"),
      ack: bool("ack"),
      ackPollSeconds: num("ackPollSeconds"),
      ackTimeoutSeconds: num("ackTimeoutSeconds"),
      timeoutMs: requestTimeoutMs,
      maxRetries,
    },
    sink,
    state: {
      dir: stateDir,
      redisUrl,
      deadLetterFile: str("deadLetterFile") ?? join(stateDir, "dead-letter.ndjson"),
      lockTtlMs: num("lockTtl") * 1000,
    },
    window: {
      lookbackSeconds: num("lookback"),
      overlapSeconds: overlap,
      lagSeconds: num("lag"),
      chunkSeconds: num("chunk"),
      concurrency: raw.has("concurrency") ? num("concurrency") : 1,
      dedupRetentionSeconds: retention,
      dedupBufferSeconds: dedupBuffer,
      dedupEnabled: !bool("disableDedup"),
    },
    dryRun: false,
  };
  if ((config.hec.tls.certFile === undefined) !== (config.hec.tls.keyFile === undefined)) {
    problems.push(
      "SPLUNK_CLIENT_CERT_FILE and SPLUNK_CLIENT_KEY_FILE go together: set both or neither",
    );
  }
  const extras = {
    interval: num("interval"),
    logLevel: choice("logLevel"),
    logFormat: choice("logFormat"),
  };
  return { config, problems, warnings, extras };
}

/** The Python forwarder's API URLs, moved as Crusoe's own terraform provider moves them. */
const LEGACY_BASE_URL = /^https?:\/\/api\.crusoecloud\.com\/(v1alpha5|v1)\/?$/i;
const CURRENT_BASE_URL = "https://api.cloud.crusoe.ai/v1";

function migrateBaseUrl(url: URL | undefined, warnings: string[]): URL | undefined {
  if (!url || !LEGACY_BASE_URL.test(url.href)) return url;
  warnings.push(
    `CRUSOE_BASE_URL ${url.href.replace(/\/$/, "")} is the legacy API: using ${CURRENT_BASE_URL} instead`,
  );
  return new URL(CURRENT_BASE_URL);
}

function setting(key: string) {
  const found = SETTING_BY_KEY.get(key);
  if (!found) throw new Error(`unknown setting ${key}`);
  return found;
}

function resolveAuth(
  str: (key: string) => string | undefined,
  required: boolean,
  problems: string[],
): CrusoeAuth {
  const keyId = str("accessKeyId");
  const secret = str("secretAccessKey");
  const token = str("apiToken");
  const signed = keyId !== undefined || secret !== undefined;
  if (signed && token) {
    problems.push(
      "CRUSOE_API_TOKEN and CRUSOE_ACCESS_KEY_ID/CRUSOE_SECRET_ACCESS_KEY are both set: use one auth method",
    );
  } else if (token) {
    return { kind: "token", token };
  } else if (signed || required) {
    if (!keyId) problems.push("CRUSOE_ACCESS_KEY_ID is not set");
    if (!secret)
      problems.push("CRUSOE_SECRET_ACCESS_KEY is not set (or CRUSOE_SECRET_ACCESS_KEY_FILE)");
    else if (!BASE64URL.test(secret) || secret.length % 4 === 1) {
      problems.push(
        "CRUSOE_SECRET_ACCESS_KEY: not base64url (expected letters, digits, - and _, no padding)",
      );
    }
  }
  return { kind: "signed", accessKeyId: keyId ?? "", secretAccessKey: secret ?? "" };
}

function resolveFilters(raw: RawSettings): AuditFilters {
  const filters: AuditFilters = {};
  for (const name of AUDIT_FILTER_NAMES) {
    const value = raw.get(`filter.${name}`);
    if (value) filters[name] = parseList(value);
  }
  return filters;
}

function defaultStateDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "crusoe-splunk-hec");
}
