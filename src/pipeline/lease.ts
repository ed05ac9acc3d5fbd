// Keep a lock lease alive while a run works; a lease that cannot be renewed stops the run
// before its next commit (another host may already have taken over).
import { logger } from "../log.ts";
import type { Lease } from "../state/lock.ts";

export interface LeaseKeeper {
  /** Why the lease was lost, if it was. */
  lost(): string | undefined;
  stop(): void;
}

export function keepLease(lease: Lease, ttlMs: number): LeaseKeeper {
  let lostReason: string | undefined;
  let renewing = false;
  const timer = setInterval(
    async () => {
      if (renewing || lostReason) return;
      renewing = true;
      try {
        if (!(await lease.renew()))
          lostReason = lease.lostReason ?? "the lock lease was taken over by another run";
      } catch (error) {
        lostReason = `the lock lease could not be renewed (${(error as Error).message})`;
      } finally {
        renewing = false;
      }
      if (lostReason) logger.error(lostReason);
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  // A pending renewal must not keep a finished process alive.
  (timer as { unref?: () => void }).unref?.();
  return {
    lost: () => lostReason,
    stop: () => clearInterval(timer),
  };
}
