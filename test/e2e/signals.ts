// Child processes that tests signal (SIGTERM, SIGINT, SIGSTOP): their stderr read as it comes,
// how they end, and a sweep that kills whatever a failed assertion left running.
import type { Subprocess } from "bun";
import { type RunOptions, spawnBinary } from "../helpers/binary.ts";

export interface Child {
  process: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The exit code, or "running" if it has not ended within `ms`. */
  exitWithin(ms: number): Promise<number | "running">;
}

const running = new Set<Subprocess>();

export function start(args: string[], options: RunOptions): Child {
  const child = spawnBinary(args, options) as Subprocess<"ignore", "pipe", "pipe">;
  running.add(child);
  void child.exited.then(() => running.delete(child));
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  void new Response(child.stdout).text();
  return {
    process: child,
    stderr: () => text,
    async exitWithin(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"running">((resolve) => {
        timer = setTimeout(() => resolve("running"), ms);
      });
      const code = await Promise.race([child.exited, late]);
      clearTimeout(timer);
      // Let the last stderr bytes arrive.
      if (code !== "running") await Bun.sleep(50);
      return code;
    },
  };
}

/** afterEach: a stopped child is continued, then every child still running is killed. */
export async function killAll(): Promise<void> {
  for (const child of running) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
  await Promise.all([...running].map((child) => child.exited));
}
