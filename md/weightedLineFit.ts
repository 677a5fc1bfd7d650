/**
 * Weighted least squares y = intercept + slope·x, with the sums the callers need for the
 * parameter covariance: var(slope) = s²·Σw/det, var(intercept) = s²·Σwx²/det,
 * cov = −s²·Σwx/det, where s² is the residual variance scale the caller chooses.
 */
export interface WeightedLineFit {
  slope: number;
  intercept: number;
  /** Σ w·(y − intercept − slope·x)² */
  chi2: number;
  sw: number;
  swx: number;
  swxx: number;
  det: number;
}

export function weightedLineFit(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
): WeightedLineFit {
  let sw = 0;
  let swx = 0;
  let swy = 0;
  let swxx = 0;
  let swxy = 0;
  for (let i = 0; i < x.length; i++) {
    sw += w[i];
    swx += w[i] * x[i];
    swy += w[i] * y[i];
    swxx += w[i] * x[i] * x[i];
    swxy += w[i] * x[i] * y[i];
  }
  const det = sw * swxx - swx * swx;
  const slope = (sw * swxy - swx * swy) / det;
  const intercept = (swxx * swy - swx * swxy) / det;
  let chi2 = 0;
  for (let i = 0; i < x.length; i++) chi2 += w[i] * (y[i] - intercept - slope * x[i]) ** 2;
  return { slope, intercept, chi2, sw, swx, swxx, det };
}
