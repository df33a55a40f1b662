/**
 * A memo that keeps at most `limit` answers, forgetting the oldest first: what the node keeps
 * of work it may be asked again (prepared statements, parsed keys, per-version elements).
 */
export function boundedMemo<K, V>(limit: number) {
  const held = new Map<K, V>();
  return {
    /** The answer kept for `key`, or `compute()`'s, kept from now on. */
    get(key: K, compute: () => V): V {
      if (held.has(key)) return held.get(key) as V;
      const value = compute();
      if (held.size >= limit) held.delete(held.keys().next().value as K);
      held.set(key, value);
      return value;
    },
    /** The answer kept for `key`, if any (computing nothing). */
    peek(key: K): V | undefined {
      return held.get(key);
    },
    delete(key: K): void {
      held.delete(key);
    },
    clear(): void {
      held.clear();
    },
  };
}
export type BoundedMemo<K, V> = ReturnType<typeof boundedMemo<K, V>>;
