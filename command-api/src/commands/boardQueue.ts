/**
 * Runs the commands of one board one at a time on this node. Commands for the same board would
 * otherwise race each other into WrongExpectedVersion and retry (wasted appends, a retry storm on a
 * hot board); across nodes the store's optimistic check still decides.
 */
export function createKeyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
