// `selftest` is what an operator runs on a new host (and CI on the arm64 binary and under Deno):
// every check must pass here, including the known answers that the emulators cannot vouch for.
import { expect, setDefaultTimeout, test } from "bun:test";
import { runSelftest } from "../../src/pipeline/selftest.ts";

setDefaultTimeout(30_000);

test("selftest passes every check, the reference signature and event id first", async () => {
  const lines: string[] = [];
  const ok = await runSelftest((line) => lines.push(line));
  expect(lines.filter((line) => !line.startsWith("ok ") && line !== "selftest passed")).toEqual([]);
  expect(ok).toBe(true);
  expect(lines.slice(0, 2)).toEqual([
    "ok    request signatures match the official Go client's reference",
    "ok    event ids match their reference (SHA-256 of the canonical JSON)",
  ]);
});
