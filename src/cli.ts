#!/usr/bin/env bun
// Entry point: the lazily loaded verbs of commands/_list.ts.
import { defineCommand } from "citty";
import { COMMANDS } from "./commands/_list.ts";
import { runCli } from "./commands/_main.ts";
import { VERSION } from "./version.ts";

const main = defineCommand({
  meta: {
    name: "crusoe-splunk-hec",
    version: VERSION,
    description: "Forward Crusoe Cloud audit logs to Splunk HEC",
  },
  subCommands: COMMANDS,
});

await runCli(main);
