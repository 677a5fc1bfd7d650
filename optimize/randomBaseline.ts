/**
 * Random search without replacement over a pool of `poolSize` candidates of which `goodCount`
 * are "good" (at least as good as a reference): the expected number of draws until the first
 * good one is (N + 1) / (K + 1). It is the mean of the negative hypergeometric distribution for
 * the first success (failures before it: (N − K) / (K + 1), plus the success itself).
 */
export function expectedRandomDrawsToFirstHit(poolSize: number, goodCount: number): number {
  if (!Number.isInteger(poolSize) || poolSize < 1)
    throw new Error(`poolSize must be a positive integer, got ${poolSize}`);
  if (!Number.isInteger(goodCount) || goodCount < 1 || goodCount > poolSize) {
    throw new Error(`goodCount must be an integer in [1, ${poolSize}], got ${goodCount}`);
  }
  return (poolSize + 1) / (goodCount + 1);
}

/** How many pool values are at least as good as `reference` under the objective's direction. */
export function countAtLeastAsGood(
  values: Iterable<number>,
  reference: number,
  direction: 'maximize' | 'minimize',
): number {
  let n = 0;
  for (const v of values) if (direction === 'maximize' ? v >= reference : v <= reference) n++;
  return n;
}
