import { EXIT } from "../errors.ts";
import { checkHealth } from "../pipeline/health.ts";
import { checkDeadLetterFile } from "../pipeline/session.ts";
import { redact } from "../redact.ts";
import { forwardArgs, jsonArg } from "./_args.ts";
import { defineVerb, loadStreamsFromArgs, NEEDS_ALL } from "./_verb.ts";

export default defineVerb({
  name: "health",
  description:
    "Check Crusoe (auth, clock skew), Splunk HEC (no event written), the state store and the lock",
  args: { ...forwardArgs, ...jsonArg },
  async run(args) {
    const { file, streams } = await loadStreamsFromArgs(args, NEEDS_ALL);
    const results = [];
    for (const { name, loaded } of streams) {
      await checkDeadLetterFile(loaded.config);
      const checks = await checkHealth(loaded.config);
      results.push({ name, ok: checks.every((check) => check.ok), checks });
    }
    const ok = results.every((result) => result.ok);
    if (args.json) {
      const body =
        file === undefined
          ? { ok, checks: results[0]?.checks ?? [] }
          : { ok, configFile: file, streams: results };
      process.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
    } else {
      for (const { name, checks } of results) {
        if (name !== undefined) process.stdout.write(`stream "${name}"\n`);
        const indent = name === undefined ? "" : "  ";
        for (const check of checks) {
          process.stdout.write(
            redact(
              `${indent}${check.ok ? "ok  " : "FAIL"}  ${check.name.padEnd(6)}  ${check.detail}\n`,
            ),
          );
        }
      }
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
});
