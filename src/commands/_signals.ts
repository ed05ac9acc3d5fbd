// SIGTERM/SIGINT ask for a graceful stop: the run settles what is in flight, commits and exits 0.
// A second signal exits at once (state stays consistent: nothing is committed ahead of Splunk).

export interface StopControl {
  stopRequested: () => boolean;
  /** Sleep that ends early on a stop request. */
  sleep: (ms: number) => Promise<void>;
}

export function listenForStop(onFirst?: (signal: string) => void): StopControl {
  let stopped = false;
  const sleepers = new Set<() => void>();
  const handle = (signal: NodeJS.Signals) => {
    if (stopped) process.exit(130);
    stopped = true;
    onFirst?.(signal);
    for (const wake of sleepers) wake();
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
  return {
    stopRequested: () => stopped,
    sleep: (ms) =>
      new Promise((resolve) => {
        if (stopped) return resolve();
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      }),
  };
}
