/**
 * Calibration of predictive intervals (deep-ensemble mean ± z·std read as a Gaussian): the share
 * of targets inside the central 68.27 % (z = 1) and 95 % (z = 1.96) intervals, which a
 * calibrated model puts near 0.68 and 0.95, and the mean Gaussian negative log likelihood.
 */
export const Z68 = 1;
export const Z95 = 1.959964;

export interface IntervalCalibration {
  coverage68: number;
  coverage95: number;
  /** Mean of −log N(y | mean, std²); std is floored at stdFloor so a zero spread stays finite. */
  nll: number;
}

export function intervalCalibration(
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  y: ArrayLike<number>,
  stdFloor = 1e-6,
): IntervalCalibration {
  const n = y.length;
  if (n === 0 || mean.length !== n || std.length !== n)
    throw new Error('intervalCalibration: mean, std and y must have the same non-zero length');
  let in68 = 0;
  let in95 = 0;
  let nll = 0;
  for (let i = 0; i < n; i += 1) {
    const s = Math.max(std[i], stdFloor);
    const z = Math.abs(y[i] - mean[i]) / s;
    if (z <= Z68) in68 += 1;
    if (z <= Z95) in95 += 1;
    nll += 0.5 * Math.log(2 * Math.PI * s * s) + 0.5 * z * z;
  }
  return { coverage68: in68 / n, coverage95: in95 / n, nll: nll / n };
}

/**
 * σ-scaling (Levi et al. 2022, "Evaluating and calibrating uncertainty prediction in regression
 * tasks", Sensors 22, 5540; Laves et al. 2020, MIDL): one factor s on every predicted standard
 * deviation, chosen to maximise the Gaussian likelihood of held-out targets. The maximum has a
 * closed form, s² = mean(((y − μ)/σ)²). Deep ensembles trained on a few hundred crystals spread
 * far less than their errors (OBELiX: members differ by ~1 log unit, errors ~2.3), so their raw
 * intervals cover a fraction of what they claim; the factor restores the scale while keeping the
 * ensemble's ranking of which predictions are more certain.
 */
export function varianceScale(
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  y: ArrayLike<number>,
  stdFloor = 1e-6,
): number {
  const n = y.length;
  if (n === 0 || mean.length !== n || std.length !== n)
    throw new Error('varianceScale: mean, std and y must have the same non-zero length');
  let s2 = 0;
  for (let i = 0; i < n; i += 1) s2 += ((y[i] - mean[i]) / Math.max(std[i], stdFloor)) ** 2;
  return Math.sqrt(s2 / n);
}
