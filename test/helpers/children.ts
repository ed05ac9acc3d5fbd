// Every child process a test starts is recorded here and killed after each test (test/setup.ts),
// so a failed assertion never leaves a daemon or worker running (one run once hung 12 minutes).

interface Killable {
  readonly pid: number;
  readonly exitCode: number | null;
  kill(signal?: number | NodeJS.Signals): void;
}

const running = new Set<Killable>();

/** Records a child until it exits; returns it unchanged. */
export function trackChild<T extends Killable & { exited: Promise<number> }>(child: T): T {
  running.add(child);
  child.exited.finally(() => running.delete(child)).catch(() => {});
  return child;
}

/** SIGKILL whatever is still running (a stopped child dies too); returns how many were killed. */
export function killChildren(): number {
  let killed = 0;
  for (const child of running) {
    running.delete(child);
    if (child.exitCode !== null) continue;
    try {
      child.kill("SIGKILL");
      killed++;
    } catch {}
  }
  return killed;
}
