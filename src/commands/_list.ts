// Every verb, lazily loaded (fixed-string imports, so `bun build` bundles them). The CLI, the
// man page and the shell completions all read this one list.
import type { CommandDef } from "citty";

export const COMMANDS: Record<string, () => Promise<CommandDef>> = {
  forward: () => import("./forward.ts").then((m) => m.default as CommandDef),
  "forward-recent": () => import("./forward-recent.ts").then((m) => m.default as CommandDef),
  "forward-range": () => import("./forward-range.ts").then((m) => m.default as CommandDef),
  daemon: () => import("./daemon.ts").then((m) => m.default as CommandDef),
  health: () => import("./health.ts").then((m) => m.default as CommandDef),
  "config-check": () => import("./config-check.ts").then((m) => m.default as CommandDef),
  "dedup-stats": () => import("./dedup-stats.ts").then((m) => m.default as CommandDef),
  status: () => import("./status.ts").then((m) => m.default as CommandDef),
  "replay-dead-letter": () =>
    import("./replay-dead-letter.ts").then((m) => m.default as CommandDef),
  selftest: () => import("./selftest.ts").then((m) => m.default as CommandDef),
};
