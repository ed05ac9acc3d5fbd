#!/usr/bin/env bun
// Entry point: a map of lazily loaded verbs (fixed-string imports, so `bun build` bundles them).
import { defineCommand } from "citty";
import { runCli } from "./commands/_main.ts";
import { VERSION } from "./version.ts";

const main = defineCommand({
  meta: {
    name: "crusoe-splunk-hec",
    version: VERSION,
    description: "Forward Crusoe Cloud audit logs to Splunk HEC",
  },
  subCommands: {
    forward: () => import("./commands/forward.ts").then((m) => m.default),
    "forward-recent": () => import("./commands/forward-recent.ts").then((m) => m.default),
    "forward-range": () => import("./commands/forward-range.ts").then((m) => m.default),
    daemon: () => import("./commands/daemon.ts").then((m) => m.default),
    health: () => import("./commands/health.ts").then((m) => m.default),
    "config-check": () => import("./commands/config-check.ts").then((m) => m.default),
    "dedup-stats": () => import("./commands/dedup-stats.ts").then((m) => m.default),
    status: () => import("./commands/status.ts").then((m) => m.default),
    "replay-dead-letter": () => import("./commands/replay-dead-letter.ts").then((m) => m.default),
    selftest: () => import("./commands/selftest.ts").then((m) => m.default),
  },
});

await runCli(main);
