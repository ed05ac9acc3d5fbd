// A stop signal ends any run within the documented bound (README: 5 s), whatever it is waiting
// on; a one-shot run then exits 130/143 and says what is left, the daemon exits 0. Waits the
// servers ask for beyond 30 s, and a server paging forever, fail the run instead of blocking.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runBinary } from "../helpers/binary.ts";
import { killAll, start } from "./signals.ts";
import { closeWorldsAfterEach, idsOf, repeats, startWorld, type World, waitFor } from "./world.ts";

setDefaultTimeout(90_000);
let world: World | undefined;
afterEach(killAll);
closeWorldsAfterEach();

// The documented bound is 5 s; twice that leaves room for a loaded test machine. Without the
// fix these runs are stuck for minutes (REQUEST_TIMEOUT 120, Retry-After 25 s, long backoff).
const BOUND_WITH_MARGIN_MS = 10_000;
const SLOW = { REQUEST_TIMEOUT: "120", MAX_RETRIES: "8" };

async function statusOf(w: World) {
  const result = await runBinary(["status", "--json"], { env: w.env });
  return JSON.parse(result.stdout);
}

/** After a stop: the next run delivers everything, and nothing twice. */
async function expectCompleteAfterRerun(w: World, args: string[]) {
  const rerun = await runBinary(args, { env: { ...w.env, BATCH_SIZE: "50" } });
  expect(rerun.code).toBe(0);
  expect(new Set(w.acceptedIds())).toEqual(new Set(idsOf(w.entries)));
  // What Splunk accepted before the stop was committed; the rest was not.
  expect(repeats(w.acceptedIds())).toBe(0);
}

describe("daemon: SIGTERM exits 0 within the bound", () => {
  test("while a Crusoe request hangs", async () => {
    world = await startWorld({ events: 300 });
    world.crusoe.fail({ hang: true });
    const daemon = start(["daemon", "--interval", "60"], { env: { ...world.env, ...SLOW } });
    await waitFor(() => world?.crusoe.requests.some((r) => r.status === 0) === true);
    daemon.process.kill("SIGTERM");
    expect(await daemon.exitWithin(BOUND_WITH_MARGIN_MS)).toBe(0);
    const status = await statusOf(world);
    expect(status.lastRun.outcome).toBe("interrupted");
    expect(status.checkpoint).toBeNull();
    expect(status.lock).toBeNull();
    expect(world.hec.requests).toHaveLength(0);
  });

  const waits: Array<[string, (w: World) => void, number]> = [
    [
      "during a HEC Retry-After wait (25 s)",
      (w) => w.hec.fail({ status: 429, code: 26, retryAfter: "25" }),
      1,
    ],
    ["during HEC backoff", (w) => w.hec.setDown(true), 3],
  ];
  for (const [name, refuse, refusals] of waits) {
    test(name, async () => {
      world = await startWorld({ events: 300 });
      refuse(world);
      const daemon = start(["daemon", "--interval", "60"], { env: { ...world.env, ...SLOW } });
      await waitFor(() => (world?.hec.requests.length ?? 0) >= refusals);
      await Bun.sleep(300); // inside the wait now
      daemon.process.kill("SIGTERM");
      expect(await daemon.exitWithin(BOUND_WITH_MARGIN_MS)).toBe(0);
      expect(daemon.stderr()).toContain(
        "SIGTERM: stopping within 5 s; batches accepted by Splunk are committed",
      );
      const status = await statusOf(world);
      expect(status.lastRun.outcome).toBe("interrupted");
      expect(status.lastRun.delivered).toBe(world.hec.accepted.length);
      // Nothing was committed for the unsent events: the next run delivers them, once.
      world.hec.setDown(false);
      await expectCompleteAfterRerun(world, ["forward"]);
    });
  }

  test("during a Crusoe Retry-After wait (25 s)", async () => {
    world = await startWorld({ events: 300 });
    world.crusoe.fail({ status: 429, retryAfter: "25" });
    const daemon = start(["daemon", "--interval", "60"], { env: { ...world.env, ...SLOW } });
    await waitFor(() => world?.crusoe.requests.some((r) => r.status === 429) === true);
    await Bun.sleep(300);
    daemon.process.kill("SIGTERM");
    expect(await daemon.exitWithin(BOUND_WITH_MARGIN_MS)).toBe(0);
    expect(world.crusoe.requests).toHaveLength(1);
  });
});

describe("forward-range stopped by a signal: 143/130, says what is left, rerun resumes", () => {
  const rangeArgs = () => {
    const now = Date.now();
    return [
      "forward-range",
      "--start-time",
      new Date(now - 3 * 3600_000).toISOString(),
      "--end-time",
      new Date(now - 30_000).toISOString(),
    ];
  };

  test("SIGTERM while a Crusoe request hangs mid-range: exit 143", async () => {
    world = await startWorld({ events: 2500 });
    world.hec.fail({ slowMs: 50 }, 1000);
    const args = rangeArgs();
    const run = start(args, { env: { ...world.env, ...SLOW, BATCH_SIZE: "50" } });
    await waitFor(() => (world?.hec.accepted.length ?? 0) >= 100);
    world.crusoe.fail({ hang: true });
    await waitFor(() => world?.crusoe.requests.some((r) => r.status === 0) === true);
    run.process.kill("SIGTERM");
    expect(await run.exitWithin(BOUND_WITH_MARGIN_MS)).toBe(143);
    expect(run.stderr()).toMatch(
      /stopped before finishing: \S+ \.\. \S+ not \(fully\) delivered; rerunning the same command resumes/,
    );
    const status = await statusOf(world);
    expect(status.lastRun.command).toBe("forward-range");
    expect(status.lastRun.outcome).toBe("interrupted");
    expect(status.lastRun.delivered).toBe(world.hec.accepted.length);
    await expectCompleteAfterRerun(world, args);
  });

  test("SIGINT during HEC backoff: exit 130, nothing of the refused batch counted", async () => {
    world = await startWorld({ events: 1000 });
    const args = rangeArgs();
    const run = start(args, { env: { ...world.env, ...SLOW, BATCH_SIZE: "50" } });
    await waitFor(() => (world?.hec.accepted.length ?? 0) >= 100);
    world.hec.setDown(true);
    await waitFor(() => (world?.hec.requests.filter((r) => r.status === 503).length ?? 0) >= 2);
    run.process.kill("SIGINT");
    expect(await run.exitWithin(BOUND_WITH_MARGIN_MS)).toBe(130);
    expect(run.stderr()).toContain("rerunning the same command resumes");
    const status = await statusOf(world);
    expect(status.lastRun.outcome).toBe("interrupted");
    expect(status.lastRun.delivered).toBe(world.hec.accepted.length);
    world.hec.setDown(false);
    await expectCompleteAfterRerun(world, args);
  });
});

describe("waits beyond what a run waits fail the run promptly", () => {
  test("Crusoe Retry-After: 3600 → exit 1 naming it, nothing advanced", async () => {
    world = await startWorld({ events: 100 });
    world.crusoe.fail({ status: 429, retryAfter: "3600" });
    const run = await runBinary(["forward"], { env: world.env, timeoutMs: 30_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("asked to retry after 3600 s (Retry-After)");
    expect((await statusOf(world)).checkpoint).toBeNull();
    expect(world.hec.requests).toHaveLength(0);
  });

  test("HEC Retry-After: 3600 → exit 1 naming it, nothing advanced", async () => {
    world = await startWorld({ events: 100 });
    world.hec.fail({ status: 429, code: 26, retryAfter: "3600" });
    const run = await runBinary(["forward"], { env: world.env, timeoutMs: 30_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("asked to retry after 3600 s (Retry-After)");
    // The checkpoint may pass the empty hour before the first event, never an event.
    const checkpoint = Date.parse((await statusOf(world)).checkpoint ?? "1970-01-01T00:00:00Z");
    const first = Math.min(...world.entries.map((e) => Date.parse(e.start_time as string)));
    expect(checkpoint).toBeLessThanOrEqual(first);
    await expectCompleteAfterRerun(world, ["forward"]);
  });

  test("a Crusoe that pages forever with empty pages → exit 1 naming it, nothing advanced", async () => {
    world = await startWorld({ events: 100 });
    world.crusoe.fail({ emptyPage: true }, 100_000);
    const run = await runBinary(["forward"], { env: world.env, timeoutMs: 30_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/empty pages in a row, each with a new next_page_token/);
    expect((await statusOf(world)).checkpoint).toBeNull();
    expect(world.hec.requests).toHaveLength(0);
  });
});
