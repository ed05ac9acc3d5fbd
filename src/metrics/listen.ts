// METRICS_LISTEN's form, checked before the daemon starts anything.

/** HOST:PORT, [v6]:PORT or :PORT (every interface); undefined when malformed. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(text.trim());
  if (!match) return;
  const port = Number(match[2]);
  if (port > 65535) return;
  const host = (match[1] ?? "").replace(/^\[|\]$/g, "");
  return { host: host || "0.0.0.0", port };
}
