// Request-body compression. Synchronous on purpose: a promisified node:zlib call hops to the
// thread pool and back, which costs about as much as deflating a 1 MB body at level 1, and the
// loop has nothing else to do meanwhile (the other request in flight is waiting on the network).
import { gzipSync } from "../runtime/gzip.ts";

/** Smaller bodies gain nothing from compression (docs/splunk-hec.md). */
export const GZIP_MIN_BYTES = 1500;
/**
 * Level 1: on audit-log NDJSON about 2.5x faster than level 3 for ~40 % more bytes on the wire
 * (still ~7x smaller than the raw body); CPU, not the link, is what limits a forwarder.
 */
const GZIP_LEVEL = 1;

export function gzipBody(body: Uint8Array): Uint8Array<ArrayBuffer> {
  return gzipSync(body, GZIP_LEVEL);
}
