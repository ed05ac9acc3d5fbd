// `status` from the compiled binary: its exit code, the --check monitoring probe, and streams
// whose settings differ from the ones given (fs and Redis state).
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../helpers/binary.ts";
import { useRedis } from "../helpers/redis.ts";
import { closeWorldsAfterEach, startWorld, type World } from "./world.ts";

setDefaultTimeout(60_000);
let world: World | undefined;
const redis = useRedis();
closeWorldsAfterEach();

describe("status exit code and --check", () => {
  test("status exits 1 after a failed run and 0 after a good one", async () => {
    world = await startWorld({ events: 200 });
    world.hec.setDown(true);
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(1);
    const failed = await runBinary(["status"], { env: world.env });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("last run    forward failed");
    expect((await runBinary(["status", "--json"], { env: world.env })).code).toBe(1);
    world.hec.setDown(false);
    expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
    expect((await runBinary(["status"], { env: world.env })).code).toBe(0);
  });

  test("--check: one line; OK 0, CRITICAL 2 for no run / failed run / lag, WARNING 1 for dead letters", async () => {
    world = await startWorld({ events: 200 });
    const check = (extra: string[] = []) =>
      runBinary(["status", "--check", ...extra], { env: world?.env });
    const expectLine = (result: { code: number; stdout: string }, code: number, text: RegExp) => {
      expect(result.stdout.split("\n")).toEqual([expect.stringMatching(text), ""]);
      expect(result.code).toBe(code);
    };

    expectLine(await check(), 2, /^CRUSOE-SPLUNK-HEC CRITICAL - .*no run has finished yet/);

    expect((await runBinary(["forward"], { env: world.env })).code).toBe(0);
    expectLine(await check(), 0, /^CRUSOE-SPLUNK-HEC OK - .*last run forward ok .*\| age=\d+s/);
    // The emulator's newest event is a minute old, so the checkpoint is >= lag seconds behind.
    expectLine(
      await check(["--max-lag", "5"]),
      2,
      /^CRUSOE-SPLUNK-HEC CRITICAL - .*checkpoint \d+ s behind \(more than 5 s\)/,
    );

    // No run finished within the lag: the last one ended two hours ago.
    const streamDir = join(world.stateDir, readdirSync(world.stateDir)[0] ?? "");
    const statusFile = join(streamDir, "status.json");
    const status = JSON.parse(readFileSync(statusFile, "utf8"));
    writeFileSync(
      statusFile,
      JSON.stringify({ ...status, endedAt: new Date(Date.now() - 7200_000).toISOString() }),
    );
    expectLine(await check(), 2, /CRITICAL - .*no run finished in the last 3600 s/);
    writeFileSync(
      statusFile,
      JSON.stringify({ ...status, outcome: "dead-lettered", deadLettered: 2 }),
    );
    expectLine(await check(), 1, /^CRUSOE-SPLUNK-HEC WARNING - .*dead-lettered 2 event/);

    const badKey = { ...world.env, CRUSOE_SECRET_ACCESS_KEY: "AAAAAAAAAAAAAAAAAAAAAA" };
    expect((await runBinary(["forward"], { env: badKey })).code).toBe(1);
    expectLine(await check(), 2, /^CRUSOE-SPLUNK-HEC CRITICAL - .*last run failed: /);
  });

  test("--check: UNKNOWN (3) when the state cannot be read; bad --max-lag is a usage error", async () => {
    world = await startWorld({ events: 1 });
    const down = await runBinary(["status", "--check"], {
      env: { ...world.env, REDIS_URL: "redis://127.0.0.1:1/0" },
    });
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/^CRUSOE-SPLUNK-HEC UNKNOWN - cannot reach Redis/);
    const bad = await runBinary(["status", "--check", "--max-lag", "ten"], { env: world.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-lag");
  });
});

for (const kind of ["fs", "redis"] as const) {
  describe(`streams with other settings (${kind} state)`, () => {
    test("status names the other streams; status --all lists each with its settings", async () => {
      if (kind === "redis" && !redis()) return;
      world = await startWorld({ events: 100 });
      const env = {
        ...world.env,
        ...(kind === "redis" ? { REDIS_URL: `${redis()?.url}/7` } : {}),
      };
      expect((await runBinary(["forward", "--index", "main"], { env })).code).toBe(0);
      world.hec.setDown(true);
      expect((await runBinary(["forward", "--index", "audit"], { env })).code).toBe(1);

      const mismatch = await runBinary(["status"], { env }); // no --index: a third stream
      expect(mismatch.code).toBe(0);
      expect(mismatch.stdout).toContain("No state for these settings");
      expect(mismatch.stdout).toMatch(/holds 2 other stream/);
      expect(mismatch.stdout).toMatch(/\/services\/collector\/event main; checkpoint .*forward ok/);
      expect(mismatch.stdout).toMatch(/\/services\/collector\/event audit; .*forward failed/);

      const all = await runBinary(["status", "--all", "--json"], { env });
      expect(all.code).toBe(1); // one stream's last run failed
      const streams = JSON.parse(all.stdout);
      expect(streams).toHaveLength(2);
      const byIndex = Object.fromEntries(
        streams.map((s: { settings: { destination: string } }) => [
          s.settings.destination.split(" ").at(-1),
          s,
        ]),
      );
      expect(byIndex.main).toMatchObject({
        settings: { orgId: world.env.CRUSOE_ORG_ID, filters: {} },
        lastRun: { outcome: "ok", delivered: 100 },
        checkpoint: expect.any(String),
        lagSeconds: expect.any(Number),
      });
      expect(byIndex.audit.lastRun.outcome).toBe("failed");
      const text = await runBinary(["status", "--all", "--index", "main"], { env });
      expect(text.stdout.trim().split("\n")).toHaveLength(2);
      expect(text.stdout).toMatch(/event main; .*\(these settings\)/);
    });
  });
}
