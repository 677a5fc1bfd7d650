/**
 * Turns each method's measured orders (one per seed) into the benchmark's metrics. Aggregates
 * follow Liang et al. (2021): curves are averaged across seeds first, and experiments-to-f is
 * read off the mean curve; per-seed medians are reported beside it.
 */
import {
  accelerationFactor,
  curveBand,
  discoveryYieldCurve,
  experimentsToFraction,
  randomExperimentsToFraction,
  topFractionCurve,
} from '../../optimize/discoveryMetrics';

export interface MethodSummary {
  seeds: number;
  experiments_to_50pct: number | null;
  experiments_to_80pct: number | null;
  af_50: number | null;
  af_80: number | null;
  /** EF at 30 experiments: mean Top%(30) over the random expectation 30/N. */
  ef_30: number | null;
  top_pct_at_budget: number;
  discovery_yield: number;
  /** Per-seed experiments to 50 % (null: not reached within the budget). */
  per_seed_experiments_to_50pct: (number | null)[];
  median_experiments_to_50pct: number | null;
  top_pct_mean: number[];
  top_pct_std: number[];
  wall_s: number;
}

export function summarizeMethod(
  orders: readonly (readonly number[])[],
  top: ReadonlySet<number>,
  poolSize: number,
  wallSeconds: number,
): MethodSummary {
  const K = top.size;
  const curves = orders.map((o) => topFractionCurve(o, top));
  const band = curveBand(curves);
  const to50 = experimentsToFraction(band.mean, 0.5, K);
  const to80 = experimentsToFraction(band.mean, 0.8, K);
  const perSeed = curves.map((c) => experimentsToFraction(c, 0.5, K));
  const budget = band.mean.length;
  return {
    seeds: orders.length,
    experiments_to_50pct: to50,
    experiments_to_80pct: to80,
    af_50: round(accelerationFactor(to50, 0.5, poolSize, K)),
    af_80: round(accelerationFactor(to80, 0.8, poolSize, K)),
    ef_30: budget >= 30 ? round(band.mean[29] / (30 / poolSize)) : null,
    top_pct_at_budget: round(band.mean[budget - 1]) as number,
    discovery_yield: round(discoveryYieldCurve(band.mean, K)[budget - 1]) as number,
    per_seed_experiments_to_50pct: perSeed,
    median_experiments_to_50pct: median(perSeed),
    top_pct_mean: band.mean.map((v) => round(v) as number),
    top_pct_std: band.std.map((v) => round(v) as number),
    wall_s: round(wallSeconds) as number,
  };
}

/** What random search needs in expectation, for the JSON's reference line. */
export function randomReference(poolSize: number, topCount: number) {
  return {
    experiments_to_50pct: round(randomExperimentsToFraction(0.5, poolSize, topCount)),
    experiments_to_80pct: round(randomExperimentsToFraction(0.8, poolSize, topCount)),
    top_pct_formula: 'E[Top%(i)] = i / N (hypergeometric mean); E[draws to r-th top] = r (N + 1) / (K + 1)',
  };
}

/** Median with unreached (null) counted as larger than any budget; null if the median is unreached. */
function median(values: readonly (number | null)[]): number | null {
  const s = [...values].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const m = s.length;
  const lo = s[Math.floor((m - 1) / 2)];
  const hi = s[Math.ceil((m - 1) / 2)];
  return lo === null || hi === null ? null : (lo + hi) / 2;
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1e4) / 1e4;
}
