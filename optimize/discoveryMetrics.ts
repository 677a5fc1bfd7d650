/**
 * Metrics of a retrospective discovery campaign, after Liang et al. (2021), "Benchmarking the
 * performance of Bayesian optimization across multiple experimental materials science domains",
 * npj Comput. Mater. 7, 188:
 * - Top%(i): the fraction of the pool's top-α candidates (α = 5 %) found after i experiments;
 * - EF(i), enhancement factor: Top%(i) of a method over the random-search expectation at i;
 * - AF(f), acceleration factor: experiments random search needs to reach Top% = f over the
 *   experiments the method needs;
 * plus the discovery yield, top-α candidates found per experiment.
 *
 * Random search draws without replacement from N candidates of which K are "top". After i
 * draws the number of top candidates found is hypergeometric(N, K, i) with mean iK/N, so
 * E[Top%(i)] = i/N whatever K is. The expected number of draws until the r-th top candidate is
 * the negative-hypergeometric mean r(N + 1)/(K + 1) (r failures-plus-success gaps of equal mean,
 * by symmetry of the K + 1 gaps around the K successes).
 */

/** Experiment counts are 1-based: index i − 1 of a curve holds the value after i experiments. */

/**
 * The pool indices of the top-α candidates (larger is better): every value at least as good as
 * the ⌈αN⌉-th best, so ties at the threshold are all "top" (a found tie is as good a find).
 */
export function topCandidates(y: readonly number[], fraction = 0.05): Set<number> {
  if (y.length === 0) throw new Error('topCandidates: empty pool');
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`top fraction must be in (0, 1], got ${fraction}`);
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`topCandidates: value ${i} is not finite (${v})`);
  });
  const k = Math.ceil(fraction * y.length);
  const threshold = [...y].sort((a, b) => b - a)[k - 1];
  const out = new Set<number>();
  y.forEach((v, i) => {
    if (v >= threshold) out.add(i);
  });
  return out;
}

/** Top%(i) for i = 1..order.length: fraction of `top` found among the first i measured. */
export function topFractionCurve(order: readonly number[], top: ReadonlySet<number>): number[] {
  if (top.size === 0) throw new Error('topFractionCurve: empty top set');
  if (new Set(order).size !== order.length)
    throw new Error('topFractionCurve: a candidate is measured twice');
  let found = 0;
  return order.map((i) => {
    if (top.has(i)) found++;
    return found / top.size;
  });
}

/** E[Top%(i)] of random search without replacement over N candidates: i/N (hypergeometric mean). */
export function randomTopFraction(i: number, poolSize: number): number {
  checkCount(poolSize, 'poolSize', 1);
  if (!Number.isInteger(i) || i < 0 || i > poolSize)
    throw new Error(`experiment count must be an integer in [0, ${poolSize}], got ${i}`);
  return i / poolSize;
}

/** EF(i) = Top%(i) / (i/N), for i = 1..curve.length. */
export function enhancementFactorCurve(curve: readonly number[], poolSize: number): number[] {
  return curve.map((v, k) => v / randomTopFraction(k + 1, poolSize));
}

/** Top candidates that reaching fraction f of K means finding: ⌈fK⌉ (at least 1). */
export function hitsForFraction(f: number, topCount: number): number {
  if (!(f > 0 && f <= 1)) throw new Error(`fraction must be in (0, 1], got ${f}`);
  checkCount(topCount, 'topCount', 1);
  // The small tolerance keeps 0.5 * 30 = 15 from becoming 16 through rounding error.
  return Math.max(1, Math.ceil(f * topCount - 1e-9));
}

/**
 * First experiment count at which a Top% curve reaches f (null if it never does within the
 * curve). Works for one campaign's curve and for a mean curve across seeds (Liang et al.'s
 * aggregate).
 */
export function experimentsToFraction(curve: readonly number[], f: number, topCount: number): number | null {
  const target = hitsForFraction(f, topCount) / topCount;
  const i = curve.findIndex((v) => v >= target - 1e-12);
  return i < 0 ? null : i + 1;
}

/** Experiments random search needs, in expectation, to reach f: the r-th-hit mean r(N + 1)/(K + 1). */
export function randomExperimentsToFraction(f: number, poolSize: number, topCount: number): number {
  checkCount(poolSize, 'poolSize', 1);
  if (topCount > poolSize) throw new Error(`topCount ${topCount} exceeds poolSize ${poolSize}`);
  return (hitsForFraction(f, topCount) * (poolSize + 1)) / (topCount + 1);
}

/** AF(f) = random's expected experiments to reach f / the method's (null if the method never did). */
export function accelerationFactor(
  methodExperiments: number | null,
  f: number,
  poolSize: number,
  topCount: number,
): number | null {
  if (methodExperiments === null) return null;
  checkCount(methodExperiments, 'methodExperiments', 1);
  return randomExperimentsToFraction(f, poolSize, topCount) / methodExperiments;
}

/** Discovery yield after i experiments: top candidates found per experiment, Top%(i)·K / i. */
export function discoveryYieldCurve(curve: readonly number[], topCount: number): number[] {
  return curve.map((v, k) => (v * topCount) / (k + 1));
}

/** Pointwise mean and population std of equal-length curves (one per seed). */
export function curveBand(curves: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  if (curves.length === 0) throw new Error('curveBand: no curves');
  const len = curves[0].length;
  if (curves.some((c) => c.length !== len)) throw new Error('curveBand: curves differ in length');
  const mean = new Array<number>(len).fill(0);
  const std = new Array<number>(len).fill(0);
  for (const c of curves) c.forEach((v, k) => (mean[k] += v / curves.length));
  for (const c of curves) c.forEach((v, k) => (std[k] += (v - mean[k]) ** 2 / curves.length));
  return { mean, std: std.map(Math.sqrt) };
}

function checkCount(v: number, name: string, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
}
