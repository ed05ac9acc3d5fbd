#!/usr/bin/env bun
// Entry point: the lazily loaded verbs of commands/_list.ts.
import type { CommandDef } from "citty";
import { COMMANDS } from "./commands/_list.ts";
import { runCli } from "./commands/_main.ts";
import { VERSION } from "./version.ts";

// A plain definition (citty's defineCommand returns it as is): citty, and the node:util it
// loads, are imported only when a verb runs, not for --help or --version.
const main: CommandDef = {
  meta: {
    name: "crusoe-splunk-hec",
    version: VERSION,
    description: "Forward Crusoe Cloud audit logs to Splunk HEC",
  },
  subCommands: COMMANDS,
};

await runCli(main);
