import { parsePlainNumber } from "../config/parse.ts";
import { UsageError } from "../errors.ts";
import { forwardArgs } from "./_args.ts";
import { forwardOnce } from "./_forward.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "forward-recent",
  description: "Forward the last N hours (deduplicated against every other run)",
  args: {
    ...forwardArgs,
    hours: { type: "string", description: "hours back from now (default 1)" },
  },
  run(args) {
    const hours = parsePlainNumber(args.hours ?? "1", false) ?? Number.NaN;
    if (!(hours > 0 && hours <= 90 * 24)) {
      throw new UsageError(`--hours: "${args.hours}" must be a number of hours between 0 and 2160`);
    }
    return forwardOnce({ kind: "recent", hours }, args);
  },
});
