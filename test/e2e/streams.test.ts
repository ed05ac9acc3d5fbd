// Many streams from one config file (issue 12): two Crusoe orgs, one HEC with two indexes, three
// streams; the compiled binary as a subprocess.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../helpers/binary.ts";
import { closeFleet, type Fleet, ORG_B, startFleet } from "./fleet.ts";
import { idsOf, repeats } from "./world.ts";

setDefaultTimeout(90_000);

let fleet: Fleet | undefined;
afterEach(async () => {
  await closeFleet(fleet);
  fleet = undefined;
});

describe("streams from a config file (compiled binary)", () => {
  test("forward runs every stream: each stream's events once, in its own index; state keyed by name", async () => {
    fleet = await startFleet();
    const first = await runBinary(["forward"], { env: fleet.env });
    expect(first.stderr).toContain("3 of 3 stream(s) run");
    expect(first.code).toBe(0);
    const deletesA = fleet.entriesA.filter((entry) => entry.action === "Delete");
    expect(deletesA.length).toBeGreaterThan(0);
    const inA = fleet.idsIn("audit_a");
    const inB = fleet.idsIn("audit_b");
    expect(new Set(inA)).toEqual(new Set(idsOf(fleet.entriesA)));
    expect(repeats(inA)).toBe(0);
    expect(new Set(inB)).toEqual(new Set([...idsOf(fleet.entriesB), ...idsOf(deletesA)]));
    expect(repeats(inB)).toBe(0);
    for (const name of ["org-a", "org-a.deletes", "org-b"])
      expect(existsSync(join(fleet.stateDir, name, "checkpoint.json"))).toBe(true);

    // Every stream in status, dedup-stats, health and config-check; --stream narrows.
    const names = ["org-a", "org-a.deletes", "org-b"];
    const status = await runBinary(["status", "--all", "--json"], { env: fleet.env });
    expect(status.code).toBe(0);
    const views = JSON.parse(status.stdout) as Array<{
      stream: string;
      lastRun: { outcome: string; delivered: number };
    }>;
    expect(views.map((v) => v.stream)).toEqual(names);
    expect(views.map((v) => v.lastRun.delivered)).toEqual([
      inA.length,
      deletesA.length,
      fleet.entriesB.length,
    ]);
    const narrowed = await runBinary(["status", "--json", "--stream", "org-b"], { env: fleet.env });
    expect(JSON.parse(narrowed.stdout).map((v: { stream: string }) => v.stream)).toEqual(["org-b"]);
    const dedup = await runBinary(["dedup-stats", "--json"], { env: fleet.env });
    expect(JSON.parse(dedup.stdout).map((b: { trackedIds: number }) => b.trackedIds)).toEqual([
      inA.length,
      deletesA.length,
      fleet.entriesB.length,
    ]);
    const health = await runBinary(["health", "--json"], { env: fleet.env });
    expect(health.code).toBe(0);
    expect(JSON.parse(health.stdout).streams.map((h: { name: string }) => h.name)).toEqual(names);
    const check = await runBinary(["config-check"], { env: fleet.env });
    expect(check.code).toBe(0);
    for (const name of names) expect(check.stdout).toContain(`stream "${name}"`);
    expect(check.stdout).toMatch(/SPLUNK_INDEX\s+audit_b\s+\(config file \(SPLUNK_INDEX\)\)/);
    expect(check.stdout).toMatch(
      /SPLUNK_HEC_URL\s+\S+\s+\(config file \(defaults.SPLUNK_HEC_URL\)\)/,
    );

    // Editing a stream's index keeps its progress: nothing is sent again.
    const before = fleet.hec.accepted.length;
    const edited = fleet.config.replace(/\.yaml$/, ".json");
    writeFileSync(
      edited,
      JSON.stringify({
        defaults: {
          SPLUNK_HEC_URL: fleet.hec.url,
          SPLUNK_HEC_TOKEN: fleet.hec.token,
          CRUSOE_ACCESS_KEY_ID: fleet.orgA.accessKeyId,
          STATE_DIR: fleet.stateDir,
        },
        streams: [
          {
            name: "org-b",
            CRUSOE_BASE_URL: fleet.orgB.baseUrl,
            CRUSOE_ORG_ID: ORG_B,
            SPLUNK_INDEX: "audit_a",
          },
        ],
      }),
      { mode: 0o600 },
    );
    const again = await runBinary(["forward", "--config", edited], { env: fleet.env });
    expect(again.code).toBe(0);
    expect(fleet.hec.accepted.length).toBe(before);
  });

  test("--stream narrows; the exit code is the most severe stream's", async () => {
    fleet = await startFleet();
    const only = await runBinary(["forward", "--stream", "org-b"], { env: fleet.env });
    expect(only.code).toBe(0);
    expect(new Set(fleet.idsIn("audit_b"))).toEqual(new Set(idsOf(fleet.entriesB)));
    expect(fleet.idsIn("audit_a")).toEqual([]);

    // org-a's organisation answers 500: that stream fails (1), the others still run (0).
    await fleet.orgA.close();
    const mixed = await runBinary(["forward"], { env: fleet.env });
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/stream "org-a": failed \(exit 1\)/);
    expect(mixed.stderr).toMatch(/stream "org-b": ok/);
  });

  test("config errors name the file, the stream and the key (exit 2, nothing sent)", async () => {
    fleet = await startFleet();
    const path = join(fleet.dir, "bad.toml");
    const cases: Array<[string, RegExp]> = [
      [
        `[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "${ORG_B}"\nSPLUNK_INDX = "x"\n`,
        /bad\.toml: stream "a": unknown key SPLUNK_INDX/,
      ],
      [
        `[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "not-a-uuid"\n`,
        /bad\.toml: stream "a": CRUSOE_ORG_ID: "not-a-uuid" is not a UUID/,
      ],
      [
        `[[streams]]\nname = "Bad Name"\nCRUSOE_ORG_ID = "${ORG_B}"\n`,
        /bad\.toml: stream "Bad Name": name is required/,
      ],
      [
        `[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "${ORG_B}"\n[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "${ORG_B}"\n`,
        /bad\.toml: stream "a": the name is used twice/,
      ],
      [
        `[defaults]\nSPLUNK_HEC_URL = "ftp://x"\n[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "${ORG_B}"\n`,
        /bad\.toml: stream "a": defaults\.SPLUNK_HEC_URL: must be http/,
      ],
      [
        `[[streams]]\nname = "a"\nCRUSOE_ORG_ID = "${ORG_B}"\nSTATE_DIR = "/tmp"\n`,
        /bad\.toml: stream "a": STATE_DIR applies to every stream: put it under defaults/,
      ],
    ];
    // Everything else is set in the environment, so each case's own problem comes first.
    const env = {
      ...fleet.env,
      CRUSOE_ACCESS_KEY_ID: fleet.orgA.accessKeyId,
      SPLUNK_HEC_URL: fleet.hec.url,
      SPLUNK_HEC_TOKEN: fleet.hec.token,
      STATE_DIR: fleet.stateDir,
    };
    for (const [text, message] of cases) {
      writeFileSync(path, text, { mode: 0o600 });
      const result = await runBinary(["forward", "--config", path], { env });
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
    }
    const replay = await runBinary(["replay-dead-letter"], { env: fleet.env });
    expect(replay.stderr).toContain("replay-dead-letter replays one stream: add --stream NAME");
    expect(replay.code).toBe(2);
    const missing = await runBinary(["forward", "--stream", "nope"], { env: fleet.env });
    expect(missing.stderr).toContain("--stream nope: no such stream");
    expect(missing.code).toBe(2);
    expect(fleet.hec.accepted.length).toBe(0);
    expect(fleet.orgA.requests.length + fleet.orgB.requests.length).toBe(0);
  });

  test("an inline secret in a file others can read is warned about, never shown", async () => {
    fleet = await startFleet();
    const path = join(fleet.dir, "inline.yaml");
    writeFileSync(
      path,
      `defaults:\n  SPLUNK_HEC_TOKEN: ${fleet.hec.token}\nstreams:\n  - name: a\n    CRUSOE_ORG_ID: ${ORG_B}\n`,
    );
    chmodSync(path, 0o644);
    const loose = await runBinary(["config-check", "--config", path], { env: fleet.env });
    expect(loose.stderr).toContain("holds SPLUNK_HEC_TOKEN inline and is readable by others");
    expect(loose.stdout + loose.stderr).not.toContain(fleet.hec.token);
    chmodSync(path, 0o600);
    const tight = await runBinary(["config-check", "--config", path], { env: fleet.env });
    expect(tight.stderr).not.toContain("readable by others");
  });
});
