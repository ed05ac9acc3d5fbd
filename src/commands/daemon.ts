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
    const stop = listenForStop((signal) =>
      logger.info(`${signal}: finishing the batch in flight, then exiting`),
    );
    logger.info(`daemon started: forward every ${extras.interval} s`);
    const code = await runDaemon(config, { intervalSeconds: extras.interval, ...stop });
    logger.info("daemon stopped");
    return code;
  },
});
