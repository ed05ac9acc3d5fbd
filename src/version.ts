// Version, build target and git revision. scripts/build.ts defines the two globals;
// run from source (bun or deno) they are absent.
import pkg from "../package.json" with { type: "json" };

declare const BUILD_TARGET: string | undefined;
declare const BUILD_REVISION: string | undefined;

export const VERSION: string = pkg.version;
export const TARGET: string = typeof BUILD_TARGET === "string" ? BUILD_TARGET : "source";
export const REVISION: string = typeof BUILD_REVISION === "string" ? BUILD_REVISION : "dev";

export function versionLine(): string {
  return `crusoe-splunk-hec ${VERSION} (${TARGET}, ${REVISION})`;
}
