/**
 * Arrhenius fit over MD temperatures: ln D = ln D0 − Ea / (k T), then D and σ extrapolated to
 * room temperature with a confidence interval. MD only samples hops at high T, so the 300 K
 * value is an extrapolation over a large 1/T gap: the interval is the honest part of the answer.
 */
import tQuantile = require('@stdlib/stats-base-dists-t-quantile');
import { nernstEinsteinConductivity_S_per_cm } from './analysis';
import { weightedLineFit } from './weightedLineFit';

const BOLTZMANN_EV_PER_K = 8.617333262e-5;

export interface ArrheniusPoint {
  readonly temperature_K: number;
  readonly diffusivity_cm2_per_s: number;
  /** Standard error of D; when every point has one, the fit is weighted by it. */
  readonly diffusivityStdErr_cm2_per_s?: number;
}

export interface ArrheniusFit {
  readonly activationEnergy_eV: number;
  readonly activationEnergyStdErr_eV: number;
  /** ln of the prefactor D0 (cm²/s). */
  readonly lnPrefactor: number;
  /** Covariance of (ln D0, −Ea/k) in the fit's parameterisation y = a + b x, x = 1/T. */
  readonly covariance: readonly [[number, number], [number, number]];
  /** Student-t multiplier for a two-sided 95 % interval (degrees of freedom n − 2, or normal). */
  readonly intervalMultiplier: number;
  readonly numPoints: number;
}

/**
 * Weighted (by 1/var(ln D) = (D/σ_D)²) or ordinary least squares on (1/T, ln D).
 * Covariance: with per-point errors, the unscaled inverse normal matrix inflated by the reduced
 * χ² when that exceeds 1 (errors from MSD fits are usually too small); without them, scaled by the
 * residual variance with Student-t quantiles. Two temperatures without errors: no interval.
 */
export function fitArrhenius(points: readonly ArrheniusPoint[]): ArrheniusFit {
  const n = points.length;
  if (n < 2) throw new Error(`fitArrhenius: need at least 2 temperatures, got ${n}`);
  for (const p of points) {
    if (!(p.temperature_K > 0) || !(p.diffusivity_cm2_per_s > 0)) {
      throw new Error(
        `fitArrhenius: T and D must be > 0 (T=${p.temperature_K}, D=${p.diffusivity_cm2_per_s})`,
      );
    }
  }
  const weighted = points.every((p) => (p.diffusivityStdErr_cm2_per_s ?? 0) > 0);
  const x = points.map((p) => 1 / p.temperature_K);
  const y = points.map((p) => Math.log(p.diffusivity_cm2_per_s));
  const w = points.map((p) =>
    weighted ? (p.diffusivity_cm2_per_s / p.diffusivityStdErr_cm2_per_s!) ** 2 : 1,
  );
  const { slope: b, intercept: a, chi2, sw, swx, swxx, det } = weightedLineFit(x, y, w);
  const dof = n - 2;
  let scale: number;
  let multiplier: number;
  if (weighted) {
    scale = dof > 0 ? Math.max(1, chi2 / dof) : 1;
    multiplier = 1.959963984540054;
  } else if (dof > 0) {
    scale = chi2 / dof;
    multiplier = tQuantile(0.975, dof);
  } else {
    scale = NaN;
    multiplier = NaN;
  }
  const covariance: [[number, number], [number, number]] = [
    [(scale * swxx) / det, (-scale * swx) / det],
    [(-scale * swx) / det, (scale * sw) / det],
  ];
  return {
    activationEnergy_eV: -b * BOLTZMANN_EV_PER_K,
    activationEnergyStdErr_eV: Math.sqrt(covariance[1][1]) * BOLTZMANN_EV_PER_K,
    lnPrefactor: a,
    covariance,
    intervalMultiplier: multiplier,
    numPoints: n,
  };
}

export interface Extrapolation {
  readonly temperature_K: number;
  readonly diffusivity_cm2_per_s: number;
  /** 95 % interval of D (log-symmetric); NaN bounds when the fit has no interval. */
  readonly diffusivityInterval_cm2_per_s: readonly [number, number];
  readonly conductivity_S_per_cm: number;
  readonly conductivityInterval_S_per_cm: readonly [number, number];
}

/** D and Nernst–Einstein σ at `temperature_K` (e.g. 300 K) from an Arrhenius fit. */
export function extrapolateArrhenius(
  fit: ArrheniusFit,
  args: { temperature_K: number; numCarriers: number; volume_A3: number; charge?: number },
): Extrapolation {
  const x = 1 / args.temperature_K;
  const b = -fit.activationEnergy_eV / BOLTZMANN_EV_PER_K;
  const lnD = fit.lnPrefactor + b * x;
  const c = fit.covariance;
  const se = Math.sqrt(c[0][0] + 2 * x * c[0][1] + x * x * c[1][1]);
  const half = fit.intervalMultiplier * se;
  const d = Math.exp(lnD);
  const dInterval: [number, number] = [Math.exp(lnD - half), Math.exp(lnD + half)];
  const perD = nernstEinsteinConductivity_S_per_cm({
    diffusivity_cm2_per_s: 1,
    numCarriers: args.numCarriers,
    volume_A3: args.volume_A3,
    temperature_K: args.temperature_K,
    charge: args.charge,
  });
  return {
    temperature_K: args.temperature_K,
    diffusivity_cm2_per_s: d,
    diffusivityInterval_cm2_per_s: dInterval,
    conductivity_S_per_cm: d * perD,
    conductivityInterval_S_per_cm: [dInterval[0] * perD, dInterval[1] * perD],
  };
}
