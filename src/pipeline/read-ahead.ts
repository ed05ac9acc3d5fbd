// Read chunks ahead of delivery, in order: up to `concurrency` chunks are fetched at once. The
// chunk being delivered buffers up to `pagesAhead` pages; the chunks behind it share a budget of
// `sharedAhead` pages between them. So memory stays bounded by a few pages whatever the window
// holds and however many chunks it has (a 10-hour range held four times the pages of a 1-hour
// one), and fetching the next page still overlaps with sending the current batch.

export interface ChunkPages<C, P> {
  chunk: C;
  pages: AsyncIterable<P>;
}

export async function* readAhead<C, P>(
  chunks: readonly C[],
  fetch: (chunk: C) => AsyncIterable<P>,
  options: { concurrency: number; pagesAhead: number; sharedAhead: number },
): AsyncGenerator<ChunkPages<C, P>> {
  const budget = new Budget(options.sharedAhead);
  const buffers: PageBuffer<P>[] = [];
  let next = 0;
  const startMore = () => {
    while (next < chunks.length && buffers.length < options.concurrency) {
      buffers.push(new PageBuffer(fetch(chunks[next] as C), options.pagesAhead, budget));
      next++;
    }
  };
  try {
    for (let index = 0; index < chunks.length; index++) {
      startMore();
      const buffer = buffers[0] as PageBuffer<P>;
      buffer.becomeHead();
      yield { chunk: chunks[index] as C, pages: buffer.drain() };
      buffers.shift();
    }
  } finally {
    for (const buffer of buffers) buffer.close();
  }
}

/** Pages the chunks behind the head may hold between them. */
class Budget {
  private used = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly limit: number) {}

  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  give(): void {
    this.used--;
    for (const wake of this.waiting) wake();
  }

  watch(wake: () => void): () => void {
    this.waiting.add(wake);
    return () => this.waiting.delete(wake);
  }
}

/** A bounded queue filled by a pump over an async source; errors surface to the reader. */
class PageBuffer<P> {
  /** Each page, and whether it holds a unit of the shared budget (fetched before head). */
  private queue: { page: P; borrowed: boolean }[] = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private head = false;
  private wakeReader: (() => void) | undefined;
  private wakePump: (() => void) | undefined;
  private readonly unwatch: () => void;

  constructor(
    private readonly source: AsyncIterable<P>,
    private readonly capacity: number,
    private readonly budget: Budget,
  ) {
    this.unwatch = budget.watch(() => this.wakePump?.());
    void this.pump();
  }

  becomeHead(): void {
    this.head = true;
    this.wakePump?.();
  }

  private async pump(): Promise<void> {
    const iterator = this.source[Symbol.asyncIterator]();
    // A unit taken for the page being fetched, until the page is queued.
    let holding = false;
    try {
      while (!this.closed) {
        const borrowed = !this.head;
        if (this.queue.length >= this.capacity || (borrowed && !this.budget.take())) {
          await new Promise<void>((resolve) => {
            this.wakePump = resolve;
          });
          continue;
        }
        holding = borrowed;
        const step = await iterator.next();
        if (step.done) break;
        this.queue.push({ page: step.value, borrowed });
        holding = false;
        this.wakeReader?.();
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      if (holding) this.budget.give();
      this.done = true;
      this.wakeReader?.();
      if (this.closed) await iterator.return?.();
    }
  }

  async *drain(): AsyncGenerator<P> {
    try {
      while (true) {
        const item = this.queue.shift();
        if (item !== undefined) {
          if (item.borrowed) this.budget.give();
          this.wakePump?.();
          yield item.page;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.done) return;
        await new Promise<void>((resolve) => {
          this.wakeReader = resolve;
        });
      }
    } finally {
      this.unwatch();
    }
  }

  close(): void {
    this.closed = true;
    this.unwatch();
    for (const item of this.queue) if (item.borrowed) this.budget.give();
    this.queue = [];
    this.wakePump?.();
  }
}
