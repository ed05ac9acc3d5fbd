import { checkpointArgs, dryRunArg, forwardArgs } from "./_args.ts";
import { forwardOnce } from "./_forward.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "forward",
  description: "Forward new events since the checkpoint (the cron command)",
  args: { ...forwardArgs, ...checkpointArgs, ...dryRunArg },
  run: (args) => forwardOnce({ kind: "forward" }, args),
});
