// Pure numbers behind the dashboard's plots. No I/O here, so they can be tested without servers.

export type Direction = 'maximize' | 'minimize';

/** Best-so-far after each experiment, in the order they finished; null until one succeeds. */
export function bestSoFarTrace(values: (number | null)[], direction: Direction): (number | null)[] {
  const better = (a: number, b: number) => (direction === 'maximize' ? a > b : a < b);
  let best: number | null = null;
  return values.map((v) => {
    if (v !== null && Number.isFinite(v) && (best === null || better(v, best))) best = v;
    return best;
  });
}

/**
 * Expected best of k candidates drawn uniformly at random without replacement from a pool whose
 * true values are `labels`, for k = 1..kMax. With the labels sorted best first, the i-th best
 * (1-based) is the best of the draw exactly when it is drawn and the other k−1 come from the
 * N−i worse ones: P = C(N−i, k−1) / C(N, k). Log-factorials keep this exact-ish for large N.
 */
export function expectedBestOfRandom(labels: number[], kMax: number, direction: Direction): number[] {
  const n = labels.length;
  if (n === 0) return [];
  const sorted = [...labels].sort((a, b) => (direction === 'maximize' ? b - a : a - b));
  const logFact = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const logChoose = (a: number, b: number) => logFact[a] - logFact[b] - logFact[a - b];
  const out: number[] = [];
  for (let k = 1; k <= Math.min(kMax, n); k++) {
    const denom = logChoose(n, k);
    let e = 0;
    // Only i ≤ N−k+1 can be the best of k draws (there must be k−1 worse ones left).
    for (let i = 1; i <= n - k + 1; i++) e += sorted[i - 1] * Math.exp(logChoose(n - i, k - 1) - denom);
    out.push(e);
  }
  return out;
}

/** Standard normal CDF via Abramowitz–Stegun 7.1.26 erf (|error| < 1.5e-7: plenty for a plot). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface CalibrationPoint {
  k: number;
  /** Fraction of measurements with |measured − predicted| ≤ k·σ. */
  observed: number;
  /** What a calibrated Gaussian predicts: 2Φ(k) − 1. */
  expected: number;
}

/**
 * Calibration of the surrogate's uncertainty: for each k, the share of standardized residuals
 * |z| = |y − μ| / σ within k, against a Gaussian's 2Φ(k) − 1. Below the diagonal = overconfident.
 */
export function calibrationCurve(
  zs: number[],
  ks: number[] = Array.from({ length: 31 }, (_, i) => i / 10),
): CalibrationPoint[] {
  const abs = zs.filter(Number.isFinite).map(Math.abs);
  return ks.map((k) => ({
    k,
    observed: abs.length ? abs.filter((z) => z <= k).length / abs.length : 0,
    expected: 2 * normalCdf(k) - 1,
  }));
}
