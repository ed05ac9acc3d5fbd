// A HEC request body (NDJSON, one envelope per line) written straight into bytes: joining a
// megabyte of lines into one string and converting it for gzip and the socket cost ~6x more CPU
// than encoding each line into its place once (measured on the bench data).
import { Buffer } from "node:buffer";
import type { SinkEvent } from "../sinks/types.ts";

const encoder = new TextEncoder();
const NEWLINE = 10;

export function encodeBody(events: readonly SinkEvent[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const event of events) size += Buffer.byteLength(event.line, "utf8") + 1;
  const body = new Uint8Array(size);
  let at = 0;
  for (const event of events) {
    at += encoder.encodeInto(event.line, body.subarray(at)).written;
    body[at++] = NEWLINE;
  }
  return body;
}
