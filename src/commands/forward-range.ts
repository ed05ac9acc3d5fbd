import { UsageError } from "../errors.ts";
import { dryRunArg, forwardArgs } from "./_args.ts";
import { forwardOnce } from "./_forward.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "forward-range",
  description:
    "Forward a fixed time range (RFC3339); resumable, and a finished range sends nothing again",
  args: {
    ...forwardArgs,
    ...dryRunArg,
    "start-time": {
      type: "string",
      description: "range start, RFC3339 (e.g. 2026-01-02T00:00:00Z)",
    },
    "end-time": { type: "string", description: "range end, RFC3339 (default: now − lag)" },
  },
  run(args) {
    const start = args["start-time"];
    if (!start)
      throw new UsageError("--start-time is required (RFC3339, e.g. 2026-01-02T00:00:00Z)");
    return forwardOnce({ kind: "range", start, end: args["end-time"] }, args, 4, true);
  },
});
