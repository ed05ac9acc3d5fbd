// The README is the front door: it must name every setting, and pin the same bun as CI.
import { expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { SETTINGS } from "../src/config/settings.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

test("every variable and flag is documented in the README", () => {
  const missing = SETTINGS.flatMap((s) => [s.env && `\`${s.env}\``, s.flag && `\`--${s.flag}\``])
    .filter((name): name is string => Boolean(name))
    .filter((name) => !readme.includes(name));
  expect(missing).toEqual([]);
});

test("README, package.json and CI pin the same bun", () => {
  const pinned = pkg.packageManager.replace("bun@", "");
  const ci = /BUN_VERSION=(\S+)/.exec(readFileSync(join(root, ".ci/run"), "utf8"))?.[1];
  expect(ci).toBe(pinned);
  expect(readme).toContain(`npm install -g bun@${pinned} && bun install && bun test`);
  expect(readme).toContain("bun run src/cli.ts selftest");
});
