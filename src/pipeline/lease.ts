// Keep a lock lease alive while a run works; a lease that cannot be renewed stops the run
// before its next commit (another host may already have taken over).
import { logger } from "../log.ts";
import type { Lease } from "../state/lock.ts";

export interface LeaseKeeper {
  /** Why the lease was lost, if it was. */
  lost(): string | undefined;
  /** Aborted when the lease is lost: the sink starts no request and no retry after that. */
  readonly signal: AbortSignal;
  stop(): void;
}

export function keepLease(lease: Lease, ttlMs: number): LeaseKeeper {
  let lostReason: string | undefined;
  let renewing = false;
  let renewedAt = performance.now();
  const gone = new AbortController();
  const markLost = (reason: string) => {
    if (lostReason) return;
    lostReason = reason;
    logger.error(reason);
    gone.abort(new Error(reason));
  };
  // A process paused (SIGSTOP, a VM freeze) past the TTL learns it only when its renewal
  // answers; by then another host may be active, so an expired lease counts as lost at once.
  const checkExpiry = () => {
    if (performance.now() - renewedAt > ttlMs) {
      markLost(
        `the lock lease expired unrenewed (this process was paused or starved for over ${Math.round(ttlMs / 1000)} s, LOCK_TTL_SECONDS)`,
      );
    }
  };
  const timer = setInterval(
    async () => {
      checkExpiry();
      if (renewing || lostReason) return;
      renewing = true;
      const asked = performance.now();
      try {
        if (await lease.renew()) renewedAt = asked;
        else markLost(lease.lostReason ?? "the lock lease was taken over by another run");
      } catch (error) {
        markLost(`the lock lease could not be renewed (${(error as Error).message})`);
      } finally {
        renewing = false;
      }
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  // A pending renewal must not keep a finished process alive.
  (timer as { unref?: () => void }).unref?.();
  return {
    lost: () => {
      checkExpiry();
      return lostReason;
    },
    signal: gone.signal,
    stop: () => clearInterval(timer),
  };
}
