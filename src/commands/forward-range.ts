import { UsageError } from "../errors.ts";
import { parseRangeInput } from "../pipeline/plan.ts";
import { forwardArgs } from "./_args.ts";
import { forwardOnce } from "./_forward.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "forward-range",
  description:
    "Forward a fixed time range (RFC3339); resumable, and a finished range sends nothing again",
  args: {
    ...forwardArgs,
    "start-time": {
      type: "string",
      description:
        "range start, RFC3339 (2026-01-02T00:00:00Z); a date or a time without offset is UTC",
    },
    "end-time": {
      type: "string",
      description: "range end, same formats (default: now − lag)",
    },
  },
  run(args) {
    const start = args["start-time"];
    if (!start)
      throw new UsageError("--start-time is required (RFC3339, e.g. 2026-01-02T00:00:00Z)");
    // Syntax, real dates and start < end: before any request (the server's clock is not needed).
    const input = parseRangeInput(start, args["end-time"]);
    if (typeof input === "string") throw new UsageError(input);
    return forwardOnce({ kind: "range", start, end: args["end-time"] }, args, 4, true, input.notes);
  },
});
