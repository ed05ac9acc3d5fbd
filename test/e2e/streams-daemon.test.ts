// `daemon --config` with three streams: metrics that match what HEC received, /readyz while HEC
// is down and after (issue 12); the compiled binary as a subprocess.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { generateAuditEntries } from "../../src/emulators/audit-data.ts";
import { closeFleet, type Fleet, sampleOf, startDaemon, startFleet } from "./fleet.ts";
import { repeats, waitFor } from "./world.ts";

setDefaultTimeout(90_000);

let fleet: Fleet | undefined;
afterEach(async () => {
  await closeFleet(fleet);
  fleet = undefined;
});

describe("daemon with a config file (compiled binary)", () => {
  test("every stream forwarded; /metrics counts exactly what HEC received; /healthz 200", async () => {
    fleet = await startFleet("  DAEMON_INTERVAL_SECONDS: 1\n");
    const f = fleet;
    const { daemon, base } = await startDaemon(f);
    const deletes = f.entriesA.filter((entry) => entry.action === "Delete").length;
    const expected = f.entriesA.length + f.entriesB.length + deletes;
    await waitFor(() => f.hec.accepted.length === expected, 30_000);
    // Later cycles add to the counts: org-b gets 30 more events.
    const now = Date.now();
    const more = generateAuditEntries(30, { startMs: now - 50_000, endMs: now - 30_000, seed: 8 });
    f.orgB.addEntries(more);
    await waitFor(() => f.hec.accepted.length === expected + 30, 30_000);
    // A cycle's counts are recorded when it ends: wait until every stream has run since.
    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const runsOf = (text: string, s: string) =>
      sampleOf(text, "runs_total", `stream="${s}",outcome="ok"`) ?? 0;
    const baseline = await scrape();
    let exposition = baseline;
    const deadline = Date.now() + 20_000;
    const names = ["org-a", "org-a.deletes", "org-b"];
    while (Date.now() < deadline) {
      exposition = await scrape();
      if (names.every((s) => runsOf(exposition, s) > runsOf(baseline, s))) break;
      await Bun.sleep(100);
    }
    const delivered = (stream: string) =>
      sampleOf(exposition, "events_delivered_total", `stream="${stream}"`);
    expect(delivered("org-a")).toBe(f.idsIn("audit_a").length);
    expect((delivered("org-b") ?? 0) + (delivered("org-a.deletes") ?? 0)).toBe(
      f.idsIn("audit_b").length,
    );
    expect(delivered("org-a.deletes")).toBe(deletes);
    expect(sampleOf(exposition, "lease_active", 'stream="org-b"')).toBe(1);
    expect(sampleOf(exposition, "events_dead_lettered_total", 'stream="org-a"')).toBe(0);
    expect(sampleOf(exposition, "request_duration_seconds_count", 'target="hec"')).toBeGreaterThan(
      0,
    );
    expect(
      sampleOf(exposition, "request_duration_seconds_count", 'target="crusoe"'),
    ).toBeGreaterThan(0);
    expect(exposition).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(exposition).toContain("# TYPE crusoe_splunk_hec_request_duration_seconds histogram");
    expect(repeats(f.idsIn("audit_a"))).toBe(0);
    expect(repeats(f.idsIn("audit_b"))).toBe(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    daemon.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
  });

  test("/readyz is 503 naming the streams while HEC is down, 200 once it is back", async () => {
    fleet = await startFleet("  DAEMON_INTERVAL_SECONDS: 1\n");
    const f = fleet;
    f.hec.setDown(true);
    const { daemon, base } = await startDaemon(f);
    let body: { ready: boolean; failing: Array<{ stream: string; reason: string }> } | undefined;
    const readyz = async () => {
      const res = await fetch(`${base}/readyz`);
      body = (await res.json()) as typeof body;
      return res.status;
    };
    // Every stream has had a failed cycle.
    await waitFor(() => f.orgB.requests.length > 0 && f.orgA.requests.length > 1, 30_000);
    await Bun.sleep(1500);
    expect(await readyz()).toBe(503);
    expect(body?.failing.map((s) => s.stream).sort()).toEqual(["org-a", "org-a.deletes", "org-b"]);
    expect(body?.failing[0]?.reason).toContain("failed");
    f.hec.setDown(false);
    let status = await readyz();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && status !== 200) {
      await Bun.sleep(200);
      status = await readyz();
    }
    expect(status).toBe(200);
    expect(body?.failing).toEqual([]);
    daemon.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
  });
});
