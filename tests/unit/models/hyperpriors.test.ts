import * as fs from 'node:fs';
import * as path from 'node:path';
import { GaussianProcess, GP_HYPERPARAMETER_BOUNDS } from '../../../models/gaussianProcess';
import {
  dimensionScaledLengthscalePrior,
  gpHyperpriors,
  gpLogPrior,
  logNormalLogDensity,
  logNormalMode,
  NOISE_VARIANCE_PRIOR,
} from '../../../models/hyperpriors';
import { runPython } from '../../helpers/python';
import { friedman1, uniformMatrix } from './synthetic';

const reference = (name: string) =>
  fs.readFileSync(path.resolve(__dirname, '../../reference/models', name), 'utf8');

describe('log-normal hyperpriors vs scipy.stats.lognorm', () => {
  const points = [
    { t: -1.3, ...dimensionScaledLengthscalePrior(1) },
    { t: 0.4, ...dimensionScaledLengthscalePrior(77) },
    { t: 5.2, ...dimensionScaledLengthscalePrior(77) },
    { t: Math.log(3e-3), ...NOISE_VARIANCE_PRIOR },
    { t: 2.0, loc: -4, scale: 0.5 },
  ];
  const ref = runPython<{ logpdf: number[]; dlogpdf_dt: number[] }>(reference('hyperprior_reference.py'), {
    points,
  });

  it('log density equals lognorm.logpdf and its t-derivative matches a central difference', () => {
    points.forEach((p, k) => {
      const r = logNormalLogDensity(p.t, p);
      expect(r.value).toBeCloseTo(ref.logpdf[k], 10);
      expect(r.dt).toBeCloseTo(ref.dlogpdf_dt[k], 5);
    });
  });

  it("is BoTorch's prior (Hvarfner et al. 2024) shifted by ½ log 12 for standardized inputs", () => {
    const p = dimensionScaledLengthscalePrior(77);
    expect(p.loc).toBeCloseTo(Math.SQRT2 + 0.5 * Math.log(77) + 0.5 * Math.log(12), 12);
    expect(p.scale).toBeCloseTo(Math.sqrt(3), 12);
    expect(logNormalMode(p)).toBeCloseTo(Math.exp(p.loc - 3), 10);
    expect(() => dimensionScaledLengthscalePrior(0)).toThrow(/positive integer/);
    expect(() => gpHyperpriors('weird' as never, 3)).toThrow(/unknown length-scale prior/);
  });

  it('gpLogPrior sums the per-length-scale and noise terms, none for the signal variance', () => {
    const d = 3;
    const priors = gpHyperpriors('dimension_scaled', d);
    const theta = [0.1, 1.2, -0.5, 0.3, Math.log(0.01)];
    const r = gpLogPrior(theta, d, priors);
    const parts = [0, 1, 2].map((k) => logNormalLogDensity(theta[k], priors.lengthscale!));
    const noise = logNormalLogDensity(theta[4], NOISE_VARIANCE_PRIOR);
    expect(r.value).toBeCloseTo(parts.reduce((s, p) => s + p.value, 0) + noise.value, 12);
    expect(Array.from(r.gradient)).toEqual([...parts.map((p) => p.dt), 0, noise.dt]);
    expect(gpLogPrior(theta, d, gpHyperpriors('none', d)).value).toBe(0);
  });
});

describe('GaussianProcess MAP fit (dimension-scaled prior) vs scikit-learn + scipy', () => {
  // 12 points in 20 dimensions, only 5 informative: the regime where ML-II length scales collapse.
  const d = 20;
  const X = uniformMatrix(12, d, 21);
  const y = friedman1(X, 0.1, 22);
  const gp = new GaussianProcess({ lengthscalePrior: 'dimension_scaled' }, 3);
  gp.fit(X, y);
  const h = gp.hyperparameters;
  const theta = [...h.lengthscales.map(Math.log), Math.log(h.signalVariance), Math.log(h.noiseVariance)];
  const priors = gpHyperpriors('dimension_scaled', d);
  const B = GP_HYPERPARAMETER_BOUNDS;
  const bounds = [
    ...new Array(d).fill(B.lengthscale.map(Math.log)),
    B.signalVariance.map(Math.log),
    B.noiseVariance.map(Math.log),
  ];
  const modeStart = [...new Array(d).fill(Math.log(logNormalMode(priors.lengthscale!))), 0, -5];
  const ref = runPython<{ log_posterior_at_theta: number; best_log_posterior: number }>(
    reference('gp_map_reference.py'),
    {
      X,
      y,
      theta,
      starts: [modeStart, theta],
      ls_prior: priors.lengthscale,
      noise_prior: priors.noiseVariance,
      bounds,
    },
  );

  it('its objective is sklearn LML + scipy log-normal log densities', () => {
    const ours = gp.logMarginalLikelihood + gpLogPrior(theta, d, priors).value;
    expect(ours).toBeCloseTo(ref.log_posterior_at_theta, 6);
  });

  it('reaches the log posterior that scipy L-BFGS-B finds from the same start', () => {
    const ours = gp.logMarginalLikelihood + gpLogPrior(theta, d, priors).value;
    expect(ours).toBeGreaterThan(ref.best_log_posterior - 1e-2);
  });
});
