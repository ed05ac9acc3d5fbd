// Parent side of emulators.ts: start it, wait for its address, ask it for counters, stop it.
import { join } from "node:path";
import type { EmulatorInfo, EmulatorStats } from "./emulators.ts";
import { BENCH_DIR, ROOT } from "./lib.ts";

export interface EmulatorHost {
  info: EmulatorInfo;
  /** "stats", "down" (HEC answers 503 code 9) or "up"; answers with the counters. */
  ask(command: "stats" | "down" | "up"): Promise<EmulatorStats>;
  close(): Promise<void>;
}

export async function startEmulatorHost(opts: {
  events: number;
  startMs: number;
  endMs: number;
}): Promise<EmulatorHost> {
  const proc = Bun.spawn(["bun", join(BENCH_DIR, "emulators.ts"), JSON.stringify(opts)], {
    cwd: ROOT,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  // A read that lost a race against the timer is kept, so no output is ever dropped.
  let pending: ReturnType<typeof reader.read> | undefined;
  async function nextLine(timeoutMs: number): Promise<string> {
    while (!buffered.includes("\n")) {
      pending ??= reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), timeoutMs);
      });
      const step = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      if (step === "timeout" || step === undefined)
        throw new Error("emulator process did not answer in time");
      pending = undefined;
      if (step.done) throw new Error("emulator process exited");
      buffered += step.value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  }
  const ready = JSON.parse(await nextLine(120_000)) as { ready: EmulatorInfo };
  const ask = async (command: string) => {
    proc.stdin.write(`${command}\n`);
    proc.stdin.flush();
    return JSON.parse(await nextLine(30_000)) as EmulatorStats;
  };
  // With a large data set the process stalls ~0.5-0.8 s once, at its first stdin command
  // (measured); pay that here rather than inside the first measured request.
  await ask("stats");
  return {
    info: ready.ready,
    ask,
    async close() {
      proc.stdin.end();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}
