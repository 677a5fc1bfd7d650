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
 * N−i worse ones: p_i = C(N−i, k−1) / C(N, k). Then p_1 = k/N and p_{i+1} = p_i·(N−i−k+1)/(N−i),
 * a product of ratios below 1, so the sum stops as soon as the weights vanish (fast for large k).
 */
export function expectedBestOfRandom(labels: number[], kMax: number, direction: Direction): number[] {
  const n = labels.length;
  const sorted = [...labels].sort((a, b) => (direction === 'maximize' ? b - a : a - b));
  const out: number[] = [];
  for (let k = 1; k <= Math.min(kMax, n); k++) {
    let p = k / n;
    let e = 0;
    for (let i = 1; i <= n - k + 1 && p > 1e-17; i++) {
      e += sorted[i - 1] * p;
      p *= (n - i - k + 1) / (n - i);
    }
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
