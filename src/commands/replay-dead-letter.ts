import { UsageError } from "../errors.ts";
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
    // Replayed events leave the file once "delivered": only Splunk may say so.
    if (config.sink !== "hec")
      throw new UsageError(
        "replay-dead-letter sends to Splunk HEC only (--sink stdout would empty the file)",
        `read the file itself instead: jq . ${config.state.deadLetterFile}`,
      );
    return (await runReplay(config)).exitCode;
  },
});
