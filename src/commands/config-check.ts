import { describeConfig } from "../config/describe.ts";
import { EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import { redact } from "../redact.ts";
import { findDeadLetterProblem } from "../state/dead-letter.ts";
import { forwardArgs, jsonArg } from "./_args.ts";
import { defineVerb, loadFromArgs, NEEDS_ALL } from "./_verb.ts";

export default defineVerb({
  name: "config-check",
  description: "Validate and print the effective configuration (secrets redacted)",
  args: { ...forwardArgs, ...jsonArg },
  async run(args) {
    const loaded = loadFromArgs(args, NEEDS_ALL, true);
    const deadLetter =
      loaded.config.sink === "hec"
        ? await findDeadLetterProblem(loaded.config.state.deadLetterFile)
        : undefined;
    if (deadLetter) loaded.problems.push(deadLetter);
    const rows = describeConfig(loaded.raw);
    if (args.json) {
      const body = {
        ok: loaded.problems.length === 0,
        problems: loaded.problems,
        warnings: loaded.warnings,
        settings: rows,
        envFile: loaded.envFilePath ?? null,
      };
      // Problems quote the values they reject (e.g. a URL with a password in it).
      process.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
    } else {
      const width = Math.max(...rows.map((row) => row.name.length));
      for (const row of rows) {
        const line = `${row.name.padEnd(width)}  ${row.value ?? "-"}  (${row.origin})`;
        process.stdout.write(`${redact(line)}\n`);
      }
      if (loaded.envFilePath) process.stdout.write(`env file: ${loaded.envFilePath}\n`);
      for (const warning of loaded.warnings) logger.warn(warning);
      for (const problem of loaded.problems) logger.error(problem);
    }
    return loaded.problems.length ? EXIT.usage : EXIT.ok;
  },
});
