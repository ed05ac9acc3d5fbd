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
    const level = args.verbose ? "debug" : String(args["log-level"] ?? "error");
    configureLogger({ level, format: String(args["log-format"] ?? "text") });
    const passed = await runSelftest((line) => process.stdout.write(`${line}\n`));
    return passed ? EXIT.ok : EXIT.failed;
  },
});
