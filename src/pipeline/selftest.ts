// `selftest`: the whole pipeline against the built-in Crusoe and HEC emulators on loopback,
// with a temp state dir. No credentials, no network. Each check prints one line.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventTimeMs } from "../crusoe/entry.ts";
import { generateAuditEntries } from "../emulators/audit-data.ts";
import { configForEmulators } from "../emulators/config.ts";
import { startCrusoeEmulator } from "../emulators/crusoe.ts";
import { startHecEmulator } from "../emulators/hec.ts";
import { EXIT } from "../errors.ts";
import { eventId } from "../state/event-id.ts";
import { referenceChecks } from "./selftest-reference.ts";
import { runOnce } from "./session.ts";

const EVENTS = 3000;

export async function runSelftest(print: (line: string) => void): Promise<boolean> {
  const now = Date.now();
  const entries = generateAuditEntries(EVENTS, {
    startMs: now - 2 * 3600_000,
    endMs: now - 60_000,
    seed: 7,
  });
  const poisonId = eventId(entries[EVENTS / 2]);
  const crusoe = await startCrusoeEmulator({ entries });
  const hec = await startHecEmulator();
  const stateDir = await mkdtemp(join(tmpdir(), "crusoe-splunk-hec-selftest-"));
  let ok = true;
  const check = (passed: boolean, what: string) => {
    ok &&= passed;
    print(`${passed ? "ok  " : "FAIL"}  ${what}`);
  };
  try {
    for (const { passed, what } of await referenceChecks()) check(passed, what);
    const config = configForEmulators(crusoe, hec, stateDir);
    hec.poisonWhen((envelope) =>
      (envelope.fields as Record<string, string>)?.crusoe_event_id === poisonId
        ? { code: 12 }
        : undefined,
    );
    hec.fail({ status: 503, code: 9 }, 1);
    const quiet = {};

    const first = await runOnce({ kind: "forward" }, config, quiet);
    const ids = new Set(
      hec.accepted.map((envelope) => (envelope.fields as Record<string, string>).crusoe_event_id),
    );
    check(
      first.counts.fetched === EVENTS,
      `fetched all ${EVENTS} events across ${crusoe.requests.length} signed page requests`,
    );
    check(
      ids.size === EVENTS - 1 && hec.accepted.length === EVENTS - 1,
      `delivered ${hec.accepted.length} events to HEC, each once`,
    );
    check(first.counts.retries >= 1, "recovered from an injected HEC 503 by retrying");
    check(
      first.counts.deadLettered === 1 && !ids.has(poisonId),
      "isolated one poison event in the dead-letter file",
    );
    check(
      first.exitCode === EXIT.deadLettered,
      "first run exits 3 (finished with dead-lettered events)",
    );
    const byId = new Map(entries.map((entry) => [eventId(entry), entry]));
    const timesRight = hec.accepted.every((envelope) => {
      const entry = byId.get((envelope.fields as Record<string, string>).crusoe_event_id);
      return (
        entry !== undefined && Math.round((envelope.time as number) * 1000) === eventTimeMs(entry)
      );
    });
    check(timesRight, "every event's _time is its start_time (milliseconds)");

    const second = await runOnce({ kind: "forward" }, config, quiet);
    check(
      second.counts.delivered === 0 && hec.accepted.length === EVENTS - 1,
      "a second run sends nothing again",
    );
    check(second.exitCode === EXIT.ok, "second run exits 0");
  } catch (error) {
    check(false, `pipeline error: ${(error as Error).message}`);
  } finally {
    await Promise.all([
      crusoe.close(),
      hec.close(),
      rm(stateDir, { recursive: true, force: true }),
    ]);
  }
  print(ok ? "selftest passed" : "selftest FAILED");
  return ok;
}
