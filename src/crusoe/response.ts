// Reading Crusoe's answers: a page body, or the precise error for a failed status (pure).
import type { AuditLogEntry } from "./entry.ts";
import { CrusoeError, describeBody } from "./errors.ts";
import { itemTexts } from "./item-json.ts";

/** A page's entries; `json[i]` is entry i's text as Crusoe sent it, when it could be cut out. */
export type PageItems = AuditLogEntry[] & { json?: string[] };

export interface Page {
  items: PageItems;
  nextToken: string;
}

function malformed(what: string, text: string): CrusoeError {
  return new CrusoeError(
    `Crusoe returned a malformed audit-log page (${what}); first bytes: ${describeBody(text)}`,
    200,
    "a proxy or an API change may be answering instead of Crusoe; check CRUSOE_BASE_URL",
  );
}

/** 429, 408 and 5xx are worth another try; 400/401/403/404 will not change by waiting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** A 200 body must be JSON with an `items` array: anything else is an error, never an empty page. */
export function parsePage(text: string): Page {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed("not JSON", text);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw malformed("not an object", text);
  const { items, next_page_token: next } = body as { items?: unknown; next_page_token?: unknown };
  if (!Array.isArray(items)) throw malformed("no items array", text);
  for (const item of items) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw malformed("an item is not an object", text);
    }
  }
  if (next !== undefined && next !== null && typeof next !== "string") {
    throw malformed("next_page_token is not a string", text);
  }
  const entries: PageItems = items as AuditLogEntry[];
  entries.json = itemTexts(text, items.length);
  return { items: entries, nextToken: next ?? "" };
}

export interface ErrorContext {
  orgId: string;
  baseUrl: string;
  signed: boolean;
  skewMs: number | undefined;
}

function serverSays(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.message === "string") return ` (${body.message})`;
  } catch {}
  return text.trim() === "" ? "" : `: ${describeBody(text, 120)}`;
}

export function formatSkew(skewMs: number | undefined): string {
  return skewMs === undefined ? "unknown" : `${Math.round(skewMs / 1000)}s`;
}

/** The error for a status that is not retried (or no longer): one line that says what to fix. */
export function statusError(status: number, text: string, ctx: ErrorContext): CrusoeError {
  switch (status) {
    case 401:
      return ctx.signed
        ? new CrusoeError(
            `Crusoe answered 401: signature rejected: check the key pair and this host's clock (skew vs Crusoe: ${formatSkew(ctx.skewMs)})`,
            401,
            "check CRUSOE_ACCESS_KEY_ID/CRUSOE_SECRET_ACCESS_KEY and sync the clock (NTP); positive skew means Crusoe is ahead",
          )
        : new CrusoeError(
            "Crusoe answered 401: the CRUSOE_API_TOKEN was rejected",
            401,
            "use an access key pair (CRUSOE_ACCESS_KEY_ID and CRUSOE_SECRET_ACCESS_KEY) instead",
          );
    case 403:
      return new CrusoeError(
        `Crusoe answered 403: the access key's user must be an admin of organization ${ctx.orgId} to read audit logs`,
        403,
        "ask an org admin to grant the role, or use a key of an org admin",
      );
    case 404:
      return new CrusoeError(
        `Crusoe answered 404: no audit logs for organization ${ctx.orgId} at ${ctx.baseUrl}`,
        404,
        "check CRUSOE_ORG_ID and CRUSOE_BASE_URL (e.g. https://api.cloud.crusoe.ai/v1)",
      );
    case 400:
      return new CrusoeError(
        `Crusoe answered 400: bad request${serverSays(text)}`,
        400,
        "check the filter and time flags",
      );
    default:
      return new CrusoeError(`Crusoe answered ${status}${serverSays(text)}`, status);
  }
}
