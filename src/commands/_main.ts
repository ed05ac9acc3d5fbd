// Run the CLI: --version, help, then the verb; errors become one line, a hint and an exit code.
import { stripVTControlCharacters } from "node:util";
import { type CommandDef, runCommand, runMain, showUsage } from "citty";
import { AppError, EXIT } from "../errors.ts";
import { logger } from "../log.ts";
import { versionLine } from "../version.ts";

export async function runCli(main: CommandDef, rawArgs = process.argv.slice(2)): Promise<never> {
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
    process.stdout.write(`${versionLine()}\n`);
    return process.exit(EXIT.ok);
  }
  if (rawArgs.length === 0) {
    await showUsage(main);
    return process.exit(EXIT.usage);
  }
  if (rawArgs.includes("--help") || rawArgs.includes("-h")) {
    await runMain(main, { rawArgs }); // prints the (sub)command's usage and exits 0
  }
  try {
    await runCommand(main, { rawArgs });
  } catch (error) {
    process.exitCode = report(error, rawArgs.includes("--verbose"));
  }
  return process.exit(process.exitCode ?? EXIT.ok);
}

function report(error: unknown, verbose: boolean): number {
  if (error instanceof AppError) {
    logger.error(error.message);
    if (error.hint) logger.info(`hint: ${error.hint}`);
  } else if (error instanceof Error && (error as { code?: string }).code?.startsWith("E_")) {
    // citty's own usage errors (unknown command, missing required arg); citty colours the
    // name even when stderr is a file or journald, so strip the escapes.
    logger.error(stripVTControlCharacters(error.message));
    logger.info("hint: crusoe-splunk-hec --help");
    return EXIT.usage;
  } else {
    logger.error(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Through the logger (which redacts), so --log-format json stays one object per line.
  if (verbose && error instanceof Error && error.stack) logger.log(error.stack);
  return error instanceof AppError ? error.exitCode : EXIT.failed;
}
