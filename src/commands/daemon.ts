import { EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import { runDaemon } from "../pipeline/daemon.ts";
import { checkpointArgs, forwardArgs, settingArgs } from "./_args.ts";
import { listenForStop } from "./_signals.ts";
import { defineVerb, loadFromArgs, NEEDS_ALL } from "./_verb.ts";

export default defineVerb({
  name: "daemon",
  description:
    "Run forward every --interval seconds until SIGTERM/SIGINT (standby while another instance is active)",
  args: { ...forwardArgs, ...checkpointArgs, ...settingArgs(["interval"]) },
  async run(args) {
    const { config, extras } = loadFromArgs(args, NEEDS_ALL);
    const stop = listenForStop({
      onFirst: (message) => logger.info(message),
      // systemd expects 0 from a stopped service; not stopping in time is a failure.
      forcedExitCode: () => EXIT.failed,
    });
    logger.info(`daemon started: forward every ${extras.interval} s`);
    const code = await runDaemon(config, {
      intervalSeconds: extras.interval,
      signal: stop.signal,
    });
    logger.info("daemon stopped");
    return code;
  },
});
