// SHA-256 in hex without loading node:crypto at start-up where the runtime has its own hasher.
// In a compiled Bun binary, importing node:crypto costs ~16 ms (it loads Node's stream modules):
// a sixth of an idle cron run. Bun's one-shot SHA256 loads nothing and is as fast per event.
// Elsewhere (Deno) node:crypto is fetched on first use, not at import.
// biome-ignore lint/suspicious/noExplicitAny: runtime globals are probed, not typed
const runtime = globalThis as any;
const bunSha256 = runtime.Bun?.SHA256 as
  | { hash(data: string | Uint8Array, encoding: "hex"): string }
  | undefined;

let nodeCrypto: typeof import("node:crypto") | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  if (bunSha256) return bunSha256.hash(data, "hex");
  nodeCrypto ??= process.getBuiltinModule("node:crypto");
  // One-shot `hash` is ~5x cheaper per event than createHash; older runtimes lack it.
  if (nodeCrypto.hash) return nodeCrypto.hash("sha256", data, "hex");
  return nodeCrypto.createHash("sha256").update(data).digest("hex");
}
