/** Runs tasks one after another per key, and tasks of different keys concurrently. */
export function keyedQueue() {
  const tails = new Map<string, Promise<void>>();
  return {
    push(key: string, task: () => Promise<void>): Promise<void> {
      const prev = tails.get(key) ?? Promise.resolve();
      const next = prev.then(task, task);
      const tail = next.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    async drain() {
      while (tails.size) await Promise.all([...tails.values()]);
    },
    get size() {
      return tails.size;
    },
  };
}
