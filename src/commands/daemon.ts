import { EXIT, UsageError } from "../errors.ts";
import { logger } from "../log.ts";
import { parseListen } from "../metrics/listen.ts";
import { runDaemon } from "../pipeline/daemon.ts";
import { streamOf } from "../pipeline/stream.ts";
import { checkpointArgs, forwardArgs, settingArgs } from "./_args.ts";
import { listenForStop } from "./_signals.ts";
import { defineVerb, loadStreamsFromArgs, NEEDS_ALL, onlyStream } from "./_verb.ts";

export default defineVerb({
  name: "daemon",
  description:
    "Run forward every --interval seconds until SIGTERM/SIGINT (standby while another instance is active)",
  args: { ...forwardArgs, ...checkpointArgs, ...settingArgs(["interval", "metricsListen"]) },
  async run(args) {
    const loaded = await loadStreamsFromArgs(args, NEEDS_ALL);
    const { config, extras, raw } = onlyStream(loaded);
    const listenRaw = raw.get("metricsListen");
    const listen = listenRaw?.value.trim() ? parseListen(listenRaw.value) : undefined;
    if (listenRaw?.value.trim() && !listen)
      throw new UsageError(
        `${listenRaw.via ?? "METRICS_LISTEN"}: "${listenRaw.value}" is not HOST:PORT (e.g. 127.0.0.1:9464)`,
      );
    const stop = listenForStop({
      onFirst: (message) => logger.info(message),
      // systemd expects 0 from a stopped service; not stopping in time is a failure.
      forcedExitCode: () => EXIT.failed,
    });
    const intervalSeconds = extras.interval;
    if (loaded.file === undefined && !listen) {
      logger.info(`daemon started: forward every ${intervalSeconds} s`);
      const code = await runDaemon(config, { intervalSeconds, signal: stop.signal });
      logger.info("daemon stopped");
      return code;
    }
    // Several streams or metrics: loaded only here (`--help` and one-shot runs never pay for it).
    const { runStreamsDaemon } = await import("../pipeline/streams-daemon.ts");
    const { DaemonMetrics } = await import("../metrics/registry.ts");
    const { setRequestObserver } = await import("../metrics/observe.ts");
    const streams = loaded.streams.map((s) => ({
      name: s.name ?? streamOf(s.loaded.config),
      config: s.loaded.config,
    }));
    const metrics = new DaemonMetrics(streams.map((s) => s.name));
    setRequestObserver(metrics);
    let running = true;
    const server = listen
      ? await startServer(listen, listenRaw?.via ?? "METRICS_LISTEN", {
          metrics,
          intervalSeconds,
          alive: () => running,
        })
      : undefined;
    // Daemons sharing a config through Redis split its streams (each keeps its own lease).
    const fleet =
      loaded.file !== undefined && config.state.redisUrl
        ? await (await import("../state/fleet-redis.ts")).joinFleet(
            config.state.redisUrl,
            config.state.lockTtlMs,
            streams.map((s) => s.name),
          )
        : undefined;
    const gate = fleet && {
      mayAcquire: (held: number) => held < fleet.share(),
      shouldRelease: (held: number) => held > fleet.share(),
    };
    try {
      logger.info(
        `daemon started: ${streams.length} stream(s) (${streams.map((s) => s.name).join(", ")}), forward every ${intervalSeconds} s${server ? `; metrics on http://${server.address}/metrics` : ""}`,
      );
      const code = await runStreamsDaemon(streams, {
        intervalSeconds,
        signal: stop.signal,
        metrics,
        gate,
      });
      logger.info("daemon stopped");
      return code;
    } finally {
      running = false;
      await fleet?.leave();
      await server?.close();
    }
  },
});

async function startServer(
  listen: { host: string; port: number },
  name: string,
  options: Omit<import("../metrics/server.ts").ServeOptions, "host" | "port">,
) {
  const { serveMetrics } = await import("../metrics/server.ts");
  try {
    return await serveMetrics({ ...listen, ...options });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${name}: cannot listen on ${listen.host}:${listen.port} (${code})`);
  }
}
