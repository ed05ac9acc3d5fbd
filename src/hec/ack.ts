// Indexer acknowledgement: one ackId per request, polled in batches. Splunk forgets an id once it
// answered true, so the first true settles it here. A channel idle for 600 s loses its ack
// state, so polls stay below that while anything is pending.
import type { HecTransport } from "./transport.ts";

export type AckOutcome = "acked" | "timeout" | "off" | "closed";

export interface AckTracker {
  wait(ackId: number): Promise<AckOutcome>;
  /** Ack turned off (code 14): whatever is pending counts as delivered on its 200. */
  disable(): void;
  close(): void;
}

export interface AckTrackerOptions {
  transport: HecTransport;
  pollMs: number;
  timeoutMs: number;
  now: () => number;
  /** Runs a request inside the sink's HTTP slots. */
  withSlot: <T>(task: () => Promise<T>) => Promise<T>;
  onDisabled: () => void;
  /** A stop (SIGTERM/SIGINT): poll once more at once, then whatever is unconfirmed is "closed". */
  signal?: AbortSignal;
}

const MAX_IDS_PER_POLL = 1000;
const CHANNEL_IDLE_SAFE_MS = 540_000;

export function createAckTracker(opts: AckTrackerOptions): AckTracker {
  const pending = new Map<number, { sentAt: number; settle: (o: AckOutcome) => void }>();
  const pollMs = Math.min(Math.max(opts.pollMs, 1), CHANNEL_IDLE_SAFE_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;

  const settle = (id: number, outcome: AckOutcome) => {
    pending.get(id)?.settle(outcome);
    pending.delete(id);
  };
  const settleAll = (outcome: AckOutcome) => {
    for (const id of [...pending.keys()]) settle(id, outcome);
  };
  const stopping = () => opts.signal?.aborted === true;
  const schedule = () => {
    if (!timer && !polling && pending.size > 0) timer = setTimeout(poll, stopping() ? 0 : pollMs);
  };
  opts.signal?.addEventListener(
    "abort",
    () => {
      if (!timer) return; // a poll is running: it settles the rest when it ends
      clearTimeout(timer);
      timer = undefined;
      schedule();
    },
    { once: true },
  );

  async function poll(): Promise<void> {
    timer = undefined;
    polling = true;
    try {
      const ids = [...pending.keys()];
      for (let i = 0; i < ids.length; i += MAX_IDS_PER_POLL) {
        const chunk = ids.slice(i, i + MAX_IDS_PER_POLL);
        const answer = await opts.withSlot(() => opts.transport.postAcks(chunk));
        if (answer.status === 400 && answer.code === 14) {
          opts.onDisabled();
          return;
        }
        // A lost or failed poll changes nothing: ids stay pending until true or their timeout.
        for (const [id, ok] of Object.entries(answer.acks ?? {})) {
          if (ok === true) settle(Number(id), "acked");
        }
      }
      const t = opts.now();
      for (const [id, p] of pending) if (t - p.sentAt >= opts.timeoutMs) settle(id, "timeout");
    } finally {
      polling = false;
      // Stopping: the last poll has been made; what it did not confirm is not delivered.
      if (stopping()) settleAll("closed");
      else schedule();
    }
  }

  return {
    wait(ackId) {
      // The same id again means the channel lost its state (idle > 600 s or a restart): the
      // old request can no longer be confirmed, so it is resent.
      settle(ackId, "timeout");
      return new Promise<AckOutcome>((resolve) => {
        pending.set(ackId, { sentAt: opts.now(), settle: resolve });
        schedule();
      });
    },
    disable() {
      settleAll("off");
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      settleAll("closed");
    },
  };
}
