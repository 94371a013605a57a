/** Per owner (a store object), the last run queued under each key. */
const tails = new WeakMap<object, Map<string, Promise<void>>>();

/**
 * Runs `run` once every earlier run queued under the same owner and key has settled,
 * so that within this process changes of one thing (a tenant's active policy, a key)
 * read the state the previous change left and decide on it. The owner is the store
 * the changes go to, so every use case over that store shares the queue. Other
 * processes are not held back: the stores' compare-and-set covers them.
 *
 * @example
 * await serialized(policies, `activate\u0000${tenant}`, () => activateOnce(tenant));
 */
export function serialized<T>(owner: object, key: string, run: () => Promise<T>): Promise<T> {
  let byKey = tails.get(owner);
  if (byKey === undefined) {
    byKey = new Map();
    tails.set(owner, byKey);
  }
  const queue = byKey;
  const result = (queue.get(key) ?? Promise.resolve()).then(() => run());
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queue.set(key, tail);
  void tail.then(() => {
    if (queue.get(key) === tail) queue.delete(key);
  });
  return result;
}
