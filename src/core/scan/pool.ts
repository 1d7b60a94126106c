/**
 * Runs `worker` over a queue that may grow while it runs (a directory walk adds the
 * subdirectories it finds), never more than `concurrency` at once. Resolves when the
 * queue is empty and every worker has finished; the first error rejects (workers
 * already running finish, nothing new starts).
 */
export function drainQueue<T>(
  initial: Iterable<T>,
  concurrency: number,
  worker: (item: T, push: (item: T) => void) => Promise<void>,
): Promise<void> {
  const queue: T[] = [...initial];
  let head = 0;
  let active = 0;
  let failed = false;
  return new Promise((resolve, reject) => {
    const push = (item: T) => {
      queue.push(item);
      pump();
    };
    function pump(): void {
      while (!failed && active < concurrency && head < queue.length) {
        const item = queue[head]!;
        // Drop consumed items now and then so a long walk does not keep them all.
        queue[head++] = undefined as T;
        if (head > 4096 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        active++;
        worker(item, push).then(
          () => {
            active--;
            pump();
          },
          (error: unknown) => {
            active--;
            if (!failed) {
              failed = true;
              reject(error);
            }
          },
        );
      }
      if (!failed && active === 0 && head >= queue.length) resolve();
    }
    pump();
  });
}
