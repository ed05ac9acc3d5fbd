import { EXIT } from "../errors.ts";
import { checkHealth } from "../pipeline/health.ts";
import { checkDeadLetterFile } from "../pipeline/session.ts";
import { redact } from "../redact.ts";
import { forwardArgs, jsonArg } from "./_args.ts";
import { defineVerb, loadFromArgs, NEEDS_ALL } from "./_verb.ts";

export default defineVerb({
  name: "health",
  description:
    "Check Crusoe (auth, clock skew), Splunk HEC (no event written), the state store and the lock",
  args: { ...forwardArgs, ...jsonArg },
  async run(args) {
    const { config } = loadFromArgs(args, NEEDS_ALL);
    await checkDeadLetterFile(config);
    const checks = await checkHealth(config);
    const ok = checks.every((check) => check.ok);
    if (args.json) {
      process.stdout.write(`${redact(JSON.stringify({ ok, checks }, null, 2))}\n`);
    } else {
      for (const check of checks) {
        process.stdout.write(
          redact(`${check.ok ? "ok  " : "FAIL"}  ${check.name.padEnd(6)}  ${check.detail}\n`),
        );
      }
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
});
