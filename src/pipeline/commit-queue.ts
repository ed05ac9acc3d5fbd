// Group commit of delivered ids. Writing a batch's ids (an fsync, or a Redis round trip) used to
// stop the pipeline after every request; here the loop goes on reading and sending while one
// write runs, and batches settled meanwhile join the next write. The number of batches accepted
// by Splunk but not yet committed is bounded (what a crash can repeat), so the loop waits for
// the store when `limit` batches are already queued behind the running write.

export interface CommitItem<E> {
  events: E[];
  /** Runs once the events are on the store (e.g. forget them as pending). */
  done: () => void;
}

export class CommitQueue<E> {
  private queued: CommitItem<E>[] = [];
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly write: (events: E[]) => Promise<void>,
    /** Batches that may wait behind the running write. */
    private readonly limit: number,
  ) {}

  /** Queue a settled batch; waits only while `limit` batches are already queued. */
  async add(item: CommitItem<E>): Promise<void> {
    this.rethrow();
    while (this.running && this.queued.length >= this.limit) {
      await this.running;
      this.rethrow();
    }
    this.queued.push(item);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    // Cleared in a later microtask (so a run that ends at once is still seen to end); a batch
    // queued in between starts the next run.
    const running = this.run().finally(() => {
      if (this.running !== running) return;
      this.running = undefined;
      if (this.queued.length > 0 && !this.failure) this.kick();
    });
    this.running = running;
  }

  /** Wait until everything queued is on the store (a chunk boundary, a stop). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    this.rethrow();
  }

  private async run(): Promise<void> {
    while (this.queued.length > 0 && !this.failure) {
      const group = this.queued;
      this.queued = [];
      const events =
        group.length === 1
          ? (group[0] as CommitItem<E>).events
          : group.flatMap((item) => item.events);
      try {
        if (events.length) await this.write(events);
      } catch (error) {
        // Nothing after a failed write is committed: those ids are re-sent by a later run.
        this.failure = { error };
        return;
      }
      for (const item of group) item.done();
    }
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
