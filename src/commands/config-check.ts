import { type ConfigRow, describeConfig } from "../config/describe.ts";
import type { LoadedConfig } from "../config/load.ts";
import { EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import { redact } from "../redact.ts";
import { findDeadLetterProblem } from "../state/dead-letter.ts";
import { checkpointArgs, forwardArgs, jsonArg } from "./_args.ts";
import { defineVerb, loadStreamsFromArgs, NEEDS_ALL, onlyStream } from "./_verb.ts";

export default defineVerb({
  name: "config-check",
  description: "Validate and print the effective configuration (secrets redacted)",
  args: { ...forwardArgs, ...checkpointArgs, ...jsonArg },
  async run(args) {
    const { file, streams } = await loadStreamsFromArgs(args, NEEDS_ALL, true);
    if (file === undefined) return checkOne(onlyStream({ streams }), Boolean(args.json));
    // A config file: every stream's rows, then every problem (each names its stream).
    const problems: string[] = [];
    const warnings = new Set<string>();
    const bodies = [];
    for (const { name, loaded } of streams) {
      const deadLetter = await deadLetterProblem(loaded);
      if (deadLetter) loaded.problems.push(`stream "${name}": ${deadLetter}`);
      problems.push(...loaded.problems);
      for (const warning of loaded.warnings) warnings.add(warning);
      bodies.push({ name, settings: describeConfig(loaded.raw) });
    }
    if (args.json) {
      const body = {
        ok: problems.length === 0,
        problems,
        warnings: [...warnings],
        configFile: file,
        streams: bodies,
      };
      process.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
    } else {
      for (const { name, settings } of bodies) {
        process.stdout.write(`stream "${name}" (${file})\n`);
        printRows(settings, "  ");
      }
      for (const warning of warnings) logger.warn(warning);
      for (const problem of problems) logger.error(problem);
    }
    return problems.length ? EXIT.usage : EXIT.ok;
  },
});

async function deadLetterProblem(loaded: LoadedConfig): Promise<string | undefined> {
  return loaded.config.sink === "hec"
    ? await findDeadLetterProblem(loaded.config.state.deadLetterFile)
    : undefined;
}

function printRows(rows: ConfigRow[], indent = ""): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const line = `${indent}${row.name.padEnd(width)}  ${row.value ?? "-"}  (${row.origin})`;
    process.stdout.write(`${redact(line)}\n`);
  }
}

async function checkOne(loaded: LoadedConfig, json: boolean): Promise<number> {
  const deadLetter = await deadLetterProblem(loaded);
  if (deadLetter) loaded.problems.push(deadLetter);
  const rows = describeConfig(loaded.raw);
  if (json) {
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
    printRows(rows);
    if (loaded.envFilePath) process.stdout.write(`env file: ${loaded.envFilePath}\n`);
    for (const warning of loaded.warnings) logger.warn(warning);
    for (const problem of loaded.problems) logger.error(problem);
  }
  return loaded.problems.length ? EXIT.usage : EXIT.ok;
}
