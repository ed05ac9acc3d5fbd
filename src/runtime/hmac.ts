// HMAC-SHA-256 with a key imported once. Bun's own CryptoHasher answers synchronously (~1 µs for
// a request's string to sign); Web Crypto's sign hops to a thread pool and back (~32 µs), once
// per Crusoe page. Elsewhere (Deno) Web Crypto.
// biome-ignore lint/suspicious/noExplicitAny: runtime globals are probed, not typed
const runtime = globalThis as any;

export type Mac = (data: string) => Promise<Uint8Array>;

export async function hmacSha256(key: Uint8Array<ArrayBuffer>): Promise<Mac> {
  const Hasher = runtime.Bun?.CryptoHasher;
  if (!Hasher) return webCryptoHmacSha256(key);
  return async (data) => new Hasher("sha256", key).update(data).digest() as Uint8Array;
}

export async function webCryptoHmacSha256(key: Uint8Array<ArrayBuffer>): Promise<Mac> {
  const imported = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const encoder = new TextEncoder();
  return async (data) =>
    new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(data)));
}
