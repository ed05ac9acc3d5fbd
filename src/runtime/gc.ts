// A full garbage collection where the runtime offers one (Bun); elsewhere nothing. The pipeline
// allocates ~5 kB per event, nearly all short-lived: without a paced collection the heap's
// high-water mark (peak RSS) grows with the length of the run, not with what is live.
// biome-ignore lint/suspicious/noExplicitAny: runtime globals are probed, not typed
const runtime = globalThis as any;

export function collectGarbage(): void {
  runtime.Bun?.gc?.(true);
}
