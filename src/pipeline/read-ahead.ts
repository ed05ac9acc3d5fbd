// Read chunks ahead of delivery, in order: up to `concurrency` chunks are fetched at once and
// each buffers at most `pagesAhead` pages, so memory stays bounded by a few pages whatever the
// window holds, and fetching the next page overlaps with sending the current batch.

export interface ChunkPages<C, P> {
  chunk: C;
  pages: AsyncIterable<P>;
}

export async function* readAhead<C, P>(
  chunks: readonly C[],
  fetch: (chunk: C) => AsyncIterable<P>,
  options: { concurrency: number; pagesAhead: number },
): AsyncGenerator<ChunkPages<C, P>> {
  const buffers: PageBuffer<P>[] = [];
  let next = 0;
  const startMore = () => {
    while (next < chunks.length && buffers.length < options.concurrency) {
      buffers.push(new PageBuffer(fetch(chunks[next] as C), options.pagesAhead));
      next++;
    }
  };
  try {
    for (let index = 0; index < chunks.length; index++) {
      startMore();
      const buffer = buffers[0] as PageBuffer<P>;
      yield { chunk: chunks[index] as C, pages: buffer.drain() };
      buffers.shift();
    }
  } finally {
    for (const buffer of buffers) buffer.close();
  }
}

/** A bounded queue filled by a pump over an async source; errors surface to the reader. */
class PageBuffer<P> {
  private queue: P[] = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private wakePump: (() => void) | undefined;

  constructor(
    private readonly source: AsyncIterable<P>,
    private readonly capacity: number,
  ) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const iterator = this.source[Symbol.asyncIterator]();
    try {
      while (!this.closed) {
        if (this.queue.length >= this.capacity) {
          await new Promise<void>((resolve) => {
            this.wakePump = resolve;
          });
          continue;
        }
        const step = await iterator.next();
        if (step.done) break;
        this.queue.push(step.value);
        this.wakeReader?.();
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.done = true;
      this.wakeReader?.();
      if (this.closed) await iterator.return?.();
    }
  }

  async *drain(): AsyncGenerator<P> {
    while (true) {
      const item = this.queue.shift();
      if (item !== undefined) {
        this.wakePump?.();
        yield item;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.done) return;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
    }
  }

  close(): void {
    this.closed = true;
    this.wakePump?.();
  }
}
