import { logger } from "../log.ts";
import { runReplay } from "../pipeline/replay-session.ts";
import { logArgs, settingArgs, streamArgs } from "./_args.ts";
import { defineVerb, loadFromArgs } from "./_verb.ts";

export default defineVerb({
  name: "replay-dead-letter",
  description:
    "Send the dead-letter file's events again (after fixing the cause); accepted ones leave the file",
  args: {
    ...logArgs,
    ...streamArgs,
    ...settingArgs(["sourcetype", "source", "host", "batchSize", "deadLetterFile"]),
  },
  async run(args) {
    const { config } = loadFromArgs(args, { crusoeAuth: false, orgId: true, sink: true });
    const report = await runReplay(config);
    if (report.failure?.hint) logger.info(`hint: ${report.failure.hint}`);
    return report.exitCode;
  },
});
