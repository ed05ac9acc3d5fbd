// Checks on values that name something outside the process (a Redis URL, files, the state
// dir), done while resolving so that a bad one is exit 2 before any request, and config-check
// shows it. Messages name the variable and never echo a URL (it may hold a password).
import { accessSync, constants, statSync } from "node:fs";

const REDIS_SHAPE = "redis://[:password@]host[:port][/db] or rediss://…";

export function checkRedisUrl(name: string, text: string, problems: string[]): void {
  const scheme = /^(rediss?):\/\//i.exec(text);
  if (!scheme) {
    problems.push(`${name}: must start with redis:// or rediss://`);
    return;
  }
  // The port as written: URL() only says "Invalid URL" for 99999.
  const authority = text.slice(scheme[0].length).split(/[/?#]/)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
  if (port !== undefined && port !== "" && !isPort(port)) {
    problems.push(`${name}: port ${JSON.stringify(port)} is not a number in 1-65535`);
    return;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name}: not a valid URL (${REDIS_SHAPE})`);
    return;
  }
  if (!url.hostname) problems.push(`${name}: names no host (${REDIS_SHAPE})`);
  else if (!/^\/?(\d+)?$/.test(url.pathname))
    problems.push(`${name}: the database after the host must be a number, e.g. /0`);
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

/** A file the run will read (a CA bundle, a client certificate or key). */
export function checkReadableFile(name: string, path: string, problems: string[]): void {
  try {
    if (statSync(path).isDirectory()) {
      problems.push(`${name}: ${path} is a directory, not a file`);
      return;
    }
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      code === "ENOENT"
        ? `${name}: ${path} does not exist`
        : `${name}: cannot read ${path} (${code ?? "unreadable"})`,
    );
  }
}

/** The state dir may not exist yet (it is created), but must not be something else. */
export function checkStateDir(name: string, path: string, problems: string[]): void {
  try {
    if (!statSync(path).isDirectory())
      problems.push(`${name}: ${path} exists and is not a directory`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") problems.push(`${name}: a parent of ${path} is not a directory`);
    else if (code !== "ENOENT") problems.push(`${name}: cannot use ${path} (${code})`);
  }
}
