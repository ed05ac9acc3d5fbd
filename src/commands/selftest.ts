import { EXIT } from "../errors.ts";
import { configureLogger } from "../log.ts";
import { runSelftest } from "../pipeline/selftest.ts";
import { logArgs } from "./_args.ts";
import { defineVerb } from "./_verb.ts";

export default defineVerb({
  name: "selftest",
  description:
    "Run the whole pipeline against built-in Crusoe and HEC emulators (no credentials, no network)",
  args: logArgs,
  async run(args) {
    configureLogger({
      level: args.verbose ? "debug" : (args["log-level"] ?? "warn"),
      format: args["log-format"],
    });
    const passed = await runSelftest((line) => process.stdout.write(`${line}\n`));
    return passed ? EXIT.ok : EXIT.failed;
  },
});
