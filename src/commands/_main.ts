// Run the CLI: version and help (our own plain 80-column renderer), typo suggestions, then the
// verb; errors become one line, a hint and an exit code. Help and version load nothing else.
import type { ArgsDef, CommandDef } from "citty";
import { AppError, EXIT } from "../errors.ts";
import { print } from "../print.ts";
import { VERSION, versionLine } from "../version.ts";
import { COMMAND_NAMES } from "./_catalog.ts";
import { suggest } from "./_suggest.ts";
import { renderTopHelp } from "./_top-help.ts";

export async function runCli(main: CommandDef, given = process.argv.slice(2)): Promise<never> {
  const rawArgs = conventionalForms(given);
  const [first] = rawArgs;
  if (rawArgs.length === 1 && (first === "--version" || first === "-v")) {
    print(1, `${versionLine()}\n`);
    return process.exit(EXIT.ok);
  }
  if (first === undefined || first.startsWith("-")) {
    const asked = first === "--help" || first === "-h";
    // Without a command, usage goes to stderr with exit 2 (a script called us wrongly).
    print(asked ? 1 : 2, renderTopHelp(VERSION));
    return process.exit(asked ? EXIT.ok : EXIT.usage);
  }
  if (!COMMAND_NAMES.includes(first)) {
    const { logger } = await import("../log.ts");
    const close = suggest(first, COMMAND_NAMES);
    logger.error(`unknown command "${first}"${close ? `: did you mean "${close}"?` : ""}`);
    logger.info(`hint: ${PROGRAM} --help lists the commands`);
    return process.exit(EXIT.usage);
  }
  if (rawArgs.includes("--help") || rawArgs.includes("-h")) {
    print(1, await commandHelp(main, first));
    return process.exit(EXIT.ok);
  }
  try {
    const { runCommand } = await import("citty");
    await runCommand(main, { rawArgs });
  } catch (error) {
    process.exitCode = await report(error, rawArgs.includes("--verbose"));
  }
  return process.exit(process.exitCode ?? EXIT.ok);
}

const PROGRAM = "crusoe-splunk-hec";

/** `help [command]` and `version`, as most CLIs accept them. */
function conventionalForms(args: string[]): string[] {
  if (args.length === 1 && args[0] === "version") return ["--version"];
  if (args[0] === "help") return args.length > 1 ? [args[1] as string, "--help"] : ["--help"];
  return args;
}

async function commandHelp(main: CommandDef, name: string): Promise<string> {
  const subCommands = await resolve(main.subCommands);
  const command = await resolve(subCommands?.[name]);
  const meta = await resolve(command?.meta);
  const args = (await resolve(command?.args)) as ArgsDef;
  const { renderCommandHelp } = await import("./_help.ts");
  return renderCommandHelp(name, meta?.description ?? "", args ?? {});
}

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

async function report(error: unknown, verbose: boolean): Promise<number> {
  // Loaded here, not at start: the logger (consola, node:util, streams) is most of what
  // `--help` and `--version` would otherwise spend starting up.
  const { logger } = await import("../log.ts");
  const { stripVTControlCharacters } = await import("node:util");
  if (error instanceof AppError) {
    logger.error(error.message);
    if (error.hint) logger.info(`hint: ${error.hint}`);
  } else if (error instanceof Error && (error as { code?: string }).code?.startsWith("E_")) {
    // citty's own usage errors (missing required arg); citty colours the name even when
    // stderr is a file or journald, so strip the escapes.
    logger.error(stripVTControlCharacters(error.message));
    logger.info(`hint: ${PROGRAM} --help`);
    return EXIT.usage;
  } else {
    logger.error(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Through the logger (which redacts), so --log-format json stays one object per line.
  if (verbose && error instanceof Error && error.stack) logger.log(error.stack);
  return error instanceof AppError ? error.exitCode : EXIT.failed;
}
