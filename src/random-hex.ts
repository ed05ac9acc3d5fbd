// Random hex through Web Crypto (a global): node:crypto's randomBytes would load Node's stream
// modules at start-up (~16 ms in a compiled binary) for a lock token and temp-file names.
import { Buffer } from "node:buffer";

export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}
