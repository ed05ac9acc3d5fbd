import { UsageError } from "../errors.ts";
import { runReplay } from "../pipeline/replay-session.ts";
import { logArgs, settingArgs, streamArgs } from "./_args.ts";
import { defineVerb, loadStreamsFromArgs, onlyStream } from "./_verb.ts";

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
    const loaded = await loadStreamsFromArgs(args, { crusoeAuth: false, orgId: true, sink: true });
    // Each stream has its own dead-letter file and index: one at a time.
    if (loaded.streams.length !== 1)
      throw new UsageError("replay-dead-letter replays one stream: add --stream NAME");
    const { config } = onlyStream(loaded);
    // Replayed events leave the file once "delivered": only Splunk may say so.
    if (config.sink !== "hec")
      throw new UsageError(
        "replay-dead-letter sends to Splunk HEC only (--sink stdout would empty the file)",
        `read the file itself instead: jq . ${config.state.deadLetterFile}`,
      );
    return (await runReplay(config)).exitCode;
  },
});
