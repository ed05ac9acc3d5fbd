// What an unattended run tells its operator, from the compiled binary: the summary line, JSON
// logs, dry-run wording, a closed stdout pipe, debug detail and progress on a terminal.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { binaryPath, runBinary } from "../helpers/binary.ts";
import { tempDir } from "../helpers/temp.ts";
import { closeWorldsAfterEach, idsOf, startWorld, type World } from "./world.ts";

setDefaultTimeout(60_000);
let world: World | undefined;
closeWorldsAfterEach();

const stdoutEnv = (w: World) => ({ ...w.env, SPLUNK_HEC_URL: "", SPLUNK_HEC_TOKEN: "" });

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Runs `binary args | head -n lines > out` in bash; returns the binary's exit code and stderr. */
async function runIntoHead(args: string[], env: Record<string, string>, lines: number) {
  const dir = tempDir("csh-pipe-");
  // `timeout` bounds the binary (exit 124) so a run that never stops cannot outlive the test.
  const script = `timeout -s KILL 40 "$0" "$@" 2>"${dir}/err" | head -n ${lines} >"${dir}/out"; echo "\${PIPESTATUS[0]}" >"${dir}/code"`;
  const child = Bun.spawn(["bash", "-c", script, binaryPath(), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  await child.exited;
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { code: Number(read("code").trim()), stderr: read("err"), stdout: read("out") };
}

function idsIn(ndjson: string): string[] {
  return ndjson
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line).fields.crusoe_event_id);
}

describe("the summary line", () => {
  test("every run ends with one summary line: counts, duration, events/s; level info when ok", async () => {
    world = await startWorld({ events: 300 });
    const result = await runBinary(["forward"], { env: world.env });
    expect(result.code).toBe(0);
    expect(lastLine(result.stderr)).toMatch(
      /^forward ok: fetched 300, delivered 300, duplicates skipped 0, dead-lettered 0, retries 0 in \d+\.\d s \(\d+ events\/s\)$/,
    );
  });

  test("a failed run's summary is at level error; JSON lines carry stream and counts as fields", async () => {
    world = await startWorld({ events: 300 });
    world.hec.setDown(true);
    const result = await runBinary(["forward", "--log-format", "json"], { env: world.env });
    expect(result.code).toBe(1);
    const lines = result.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 3)).toEqual(["time", "level", "msg"]);
      expect(line.stream).toMatch(/^[0-9a-f]{12}$/);
    }
    const summary = lines.at(-1);
    // Before toMatchObject: bun's asymmetric matchers can leave their marks on the received object.
    expect(summary.fetched).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      level: "error",
      command: "forward",
      outcome: "failed",
      fetched: expect.any(Number),
      delivered: 0,
      duplicates: 0,
      deadLettered: 0,
      retries: expect.any(Number),
      durationMs: expect.any(Number),
      eventsPerSecond: expect.any(Number),
    });
    expect(summary.msg).toStartWith("forward failed: fetched");
  });

  test("--dry-run reports what it would send and never says delivered", async () => {
    world = await startWorld({ events: 90 });
    for (const format of ["text", "json"]) {
      const result = await runBinary(["forward", "--dry-run", "--log-format", format], {
        env: world.env,
      });
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/deliver/i);
      expect(result.stderr).toContain("would send 90");
      if (format === "json") expect(JSON.parse(lastLine(result.stderr)).wouldSend).toBe(90);
    }
    expect(world.hec.requests.length).toBe(0);
  });
});

describe("stdout closed by its reader (| head)", () => {
  test("stops quietly with exit 141; only what was written counts; a rerun sends the rest", async () => {
    world = await startWorld({ events: 1500 });
    const env = stdoutEnv(world);
    const cut = await runIntoHead(["forward", "--sink", "stdout"], env, 1);
    expect(cut.code).toBe(141);
    expect(cut.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(cut.stderr).not.toMatch(/errno|syscall|\bat /);
    expect(cut.stderr).toContain("stdout was closed by its reader");
    expect(lastLine(cut.stderr)).toMatch(/^warn: forward interrupted: fetched \d+, delivered \d+/);
    const written = Number(/delivered (\d+)/.exec(lastLine(cut.stderr))?.[1]);
    expect(written).toBeLessThan(1500);

    // The full order, from a fresh state: the first `written` events are what run 1 counted.
    const fresh = tempDir("csh-fresh-");
    const all = await runBinary(["forward", "--sink", "stdout"], {
      env: { ...env, STATE_DIR: fresh },
    });
    const order = idsIn(all.stdout);
    expect(new Set(order)).toEqual(new Set(idsOf(world.entries)));

    const rest = await runBinary(["forward", "--sink", "stdout"], { env });
    expect(rest.code).toBe(0);
    const counted = new Set(order.slice(0, written));
    const resent = idsIn(rest.stdout);
    expect(resent.filter((id) => counted.has(id))).toEqual([]);
    expect(new Set([...counted, ...resent])).toEqual(new Set(order));
  });

  test("the daemon stops too (every later cycle would fail the same way): exit 141", async () => {
    world = await startWorld({ events: 1500 });
    const cut = await runIntoHead(
      ["daemon", "--sink", "stdout", "--interval", "1"],
      stdoutEnv(world),
      1,
    );
    expect(cut.code).toBe(141);
    expect(cut.stderr).toContain("stdout was closed by its reader");
  });

  test("a dry run into a closed pipe stops the same way", async () => {
    world = await startWorld({ events: 300 });
    const cut = await runIntoHead(["forward", "--dry-run", "--batch-size", "1"], world.env, 1);
    expect([0, 141]).toContain(cut.code); // 0 when all five shown lines fit before head exits
    expect(cut.stderr).not.toMatch(/errno|syscall|\bat /);
  });
});

describe("debug logging", () => {
  test("--log-level debug shows each window, chunk, page, HEC request and commit, no secret", async () => {
    world = await startWorld({ events: 400 });
    const result = await runBinary(["forward", "--log-level", "debug", "--log-format", "json"], {
      env: world.env,
    });
    expect(result.code).toBe(0);
    const lines = result.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const byMsg = (msg: string) => lines.filter((line) => line.msg === msg);
    expect(byMsg("window")[0]).toMatchObject({ level: "debug", chunks: expect.any(Number) });
    expect(byMsg("chunk")[0]).toMatchObject({ start: expect.any(String), end: expect.any(String) });
    const pages = byMsg("crusoe page");
    expect(pages.reduce((sum, page) => sum + page.items, 0)).toBe(400);
    expect(pages[0]).toMatchObject({ durationMs: expect.any(Number), more: expect.any(Boolean) });
    const requests = byMsg("hec request");
    expect(requests.reduce((sum, request) => sum + request.events, 0)).toBe(400);
    expect(requests[0]).toMatchObject({ status: 200, bytes: expect.any(Number) });
    expect(requests[0].durationMs).toBeGreaterThanOrEqual(0);
    const commits = byMsg("chunk committed");
    expect(commits.length).toBe(byMsg("chunk").length);
    expect(commits.at(-1).checkpointAfter).toBeString();
    expect(byMsg("dedup ids committed").reduce((sum, c) => sum + c.ids, 0)).toBe(400);
    for (const secret of [
      world.env.SPLUNK_HEC_TOKEN,
      world.env.CRUSOE_SECRET_ACCESS_KEY,
    ] as string[])
      expect(result.stderr).not.toContain(secret);
  });
});

/** Runs the binary under a pseudo-terminal (util-linux `script`); returns what the terminal showed. */
async function runOnTerminal(args: string[], env: Record<string, string>) {
  const quoted = [binaryPath(), ...args].map((arg) => `'${arg}'`).join(" ");
  const child = Bun.spawn(["script", "-qec", quoted, "/dev/null"], {
    cwd: tempDir("csh-tty-"),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TERM: "xterm", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  return { code, out };
}

describe("progress on a terminal", () => {
  test("forward-recent shows chunk progress on a TTY, and none when stderr is a pipe", async () => {
    world = await startWorld({ events: 300 });
    const tty = await runOnTerminal(["forward-recent", "--hours", "3"], world.env);
    expect(tty.code).toBe(0);
    expect(tty.out).toMatch(/chunks 3\/3 +\d+ events\/s/);
    const piped = await runBinary(["forward-recent", "--hours", "3"], { env: world.env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("chunks ");
  });
});
