// The test helpers' own guarantees: no child outlives a failed test; a missing redis-server
// skips visibly, except under CI=true where it fails.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { closeWorldsAfterEach, startWorld } from "../e2e/world.ts";
import { closeAfterEach } from "./cleanup.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

const root = join(import.meta.dirname, "..", "..");

/** Running or stopped; a zombie (killed, not yet reaped by a container's init) is dead. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

test("a child started by a failing test is killed when the test ends", async () => {
  const run = Bun.spawnSync(
    [process.execPath, "test", "./test/helpers/fixtures/leaky.ts", "--timeout", "20000"],
    { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, CI: "" } },
  );
  const output = run.stdout.toString() + run.stderr.toString();
  const pid = Number(/child-pid=(\d+)/.exec(output)?.[1]);
  expect(run.exitCode).not.toBe(0); // the fixture's assertion really failed
  expect(pid).toBeGreaterThan(0);
  expect(output).toContain("alive-in-next-test=false");
  // The child was `sleep 300`: still alive here would mean it leaked.
  let alive = isAlive(pid);
  for (let n = 0; alive && n < 50; n++) {
    await Bun.sleep(20);
    alive = isAlive(pid);
  }
  if (alive) process.kill(pid, "SIGKILL");
  expect(alive).toBe(false);
});

for (const ci of ["true", ""]) {
  test(`redis-server missing with CI=${JSON.stringify(ci)}: ${ci ? "an error" : "a visible skip notice"}`, () => {
    const script = `import { startRedis } from "./test/helpers/redis.ts";
const server = await startRedis();
console.log(server === undefined ? "skipped" : "started");`;
    const run = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: "/nonexistent", HOME: process.env.HOME ?? "/", CI: ci },
    });
    const stdout = run.stdout.toString();
    const stderr = run.stderr.toString();
    if (ci) {
      expect(run.exitCode).not.toBe(0);
      expect(stderr).toContain("redis-server is not installed, but CI must run");
    } else {
      expect(run.exitCode).toBe(0);
      expect(stdout).toContain("skipped");
      expect(stderr).toContain("redis-server not found: SKIPPING");
    }
  });
}

describe("closeAfterEach", () => {
  const closed: string[] = [];
  const track = closeAfterEach();
  const resource = (name: string) => ({
    close: async () => {
      closed.push(name);
    },
  });
  test("a test tracks three resources and closes the first itself", async () => {
    const first = track(resource("a"));
    track(resource("b"));
    track(resource("c"));
    await first.close();
    expect(closed).toEqual(["a"]);
  });
  test("after that test, each was closed exactly once, newest first", () => {
    expect(closed).toEqual(["a", "c", "b"]);
  });
});

describe("closeWorldsAfterEach", () => {
  closeWorldsAfterEach();
  const started: { stateDir: string; url: string }[] = [];
  test("a test starts two worlds and leaves them open", async () => {
    for (const seed of [1, 2]) {
      const world = await startWorld({ events: 1, seed });
      started.push({ stateDir: world.stateDir, url: world.hec.url });
    }
    expect(started.every((w) => existsSync(w.stateDir))).toBe(true);
  });
  test("after that test, both state dirs are gone and the emulators refuse connections", async () => {
    expect(started).toHaveLength(2);
    for (const world of started) {
      expect(existsSync(world.stateDir)).toBe(false);
      expect(
        await fetch(world.url).then(
          () => "answered",
          () => "refused",
        ),
      ).toBe("refused");
    }
  });
});
