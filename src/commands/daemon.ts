import { AppError } from "../errors.ts";
import { logArgs } from "./_args.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "daemon",
  description: "not yet built",
  args: logArgs,
  async run() {
    throw new AppError("daemon is not built yet");
  },
});
