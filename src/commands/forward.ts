import { UsageError } from "../errors.ts";
import { parseRangeInput } from "../pipeline/plan.ts";
import { forwardArgs } from "./_args.ts";
import { forwardOnce } from "./_forward.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "forward",
  description: "Forward new events since the checkpoint (the cron command)",
  args: {
    ...forwardArgs,
    "start-time": {
      type: "string",
      description:
        "first run only (no checkpoint yet): start here instead of now − lookback; RFC3339, or a date/time without offset read as UTC",
    },
  },
  run(args) {
    const text = args["start-time"];
    if (text === undefined) return forwardOnce({ kind: "forward" }, args);
    // Checked before any request, like every other flag.
    const input = parseRangeInput(text, undefined);
    if (typeof input === "string") throw new UsageError(input);
    return forwardOnce({ kind: "forward", startMs: input.startMs }, args, 1, false, input.notes);
  },
});
