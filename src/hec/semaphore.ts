// Bounds the HTTP requests in flight, whatever the number of batches waiting (ack mode).

export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(task) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        // Hand the slot straight to the next waiter so a newcomer can't jump the queue.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}
