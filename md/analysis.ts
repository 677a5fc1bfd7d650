/**
 * Trajectory → diffusion → conductivity, following the conventions of pymatgen's
 * DiffusionAnalyzer (smoothed="max") so results can be checked against it:
 *  1. unwrap: minimum-image step between consecutive frames, accumulated (atoms may cross the
 *     cell many times; frames must be close enough that no atom moves half a cell between them);
 *  2. drift: subtract the mean displacement of the framework (non-mobile) atoms per frame, so
 *     a thermostat-induced translation of the whole cell does not count as diffusion;
 *  3. MSD of the mobile species averaged over all time origins and ions, on lags from
 *     `fitStart_fs` up to the lag where at least `minObservations` (ion, origin) pairs remain;
 *  4. D from a weighted linear fit MSD = 6 D t + c (weights 1/t: the variance of the MSD grows
 *     with the lag), with the slope's standard error and, because that error is far too small
 *     for correlated MSD points, a block-averaging error (the larger is passed on);
 *  5. σ by Nernst–Einstein (no Haven ratio / cross-correlations: tracer conductivity).
 */
import { type Trajectory, validateTrajectory } from './trajectory';
import { weightedLineFit } from './weightedLineFit';

/** CODATA 2018 exact constants. */
const ELEMENTARY_CHARGE_C = 1.602176634e-19;
const BOLTZMANN_J_PER_K = 1.380649e-23;

export interface DisplacementSeries {
  /** disp[frame][3 * atom + k]: unwrapped, drift-corrected displacement from frame 0 (Å). */
  readonly disp: readonly Float64Array[];
  /** Framework drift removed per frame (Å), for diagnostics. */
  readonly drift: readonly [number, number, number][];
}

/** Unwrapped displacements from frame 0, with the framework's mean displacement removed. */
export function driftCorrectedDisplacements(t: Trajectory, mobileSpecies: string): DisplacementSeries {
  validateTrajectory(t);
  const n = t.species.length;
  const framework = t.species.map((s, i) => (s === mobileSpecies ? -1 : i)).filter((i) => i >= 0);
  const raw: Float64Array[] = [new Float64Array(3 * n)];
  let prevFrac = fracOf(t, 0);
  const cum = new Float64Array(3 * n); // accumulated fractional displacement
  for (let f = 1; f < t.frames.length; f++) {
    const frac = fracOf(t, f);
    for (let j = 0; j < 3 * n; j++) {
      const d = frac[j] - prevFrac[j];
      cum[j] += d - Math.round(d);
    }
    prevFrac = frac;
    const cart = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const c = t.lattice.fracToCart([cum[3 * i], cum[3 * i + 1], cum[3 * i + 2]]);
      cart.set(c, 3 * i);
    }
    raw.push(cart);
  }
  const drift: [number, number, number][] = [];
  const disp = raw.map((frame) => {
    const mean: [number, number, number] = [0, 0, 0];
    if (framework.length > 0) {
      for (const i of framework) for (let k = 0; k < 3; k++) mean[k] += frame[3 * i + k];
      for (let k = 0; k < 3; k++) mean[k] /= framework.length;
    }
    drift.push(mean);
    const out = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[3 * i + k] = frame[3 * i + k] - mean[k];
    return out;
  });
  return { disp, drift };
}

function fracOf(t: Trajectory, f: number): Float64Array {
  const n = t.species.length;
  const out = new Float64Array(3 * n);
  const pos = t.frames[f];
  for (let i = 0; i < n; i++)
    out.set(t.lattice.cartToFrac([pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]]), 3 * i);
  return out;
}

export interface MsdOptions {
  /** Start of the fitted (diffusive) regime: skips the ballistic/vibrational short times. */
  fitStart_fs?: number;
  /** The longest lag keeps at least this many (ion, origin) pairs (pymatgen: 30). */
  minObservations?: number;
  /** At most about this many lags are evaluated (pymatgen: 1000). */
  maxLags?: number;
}

export interface MsdCurve {
  readonly lag_fs: Float64Array;
  /** Mean squared displacement of the mobile species at each lag (Å²). */
  readonly msd_A2: Float64Array;
  readonly numMobile: number;
}

/**
 * Default start of the fit: 1 ps like pymatgen for runs of ≥ 10 ps; for shorter (test-size)
 * runs, 10 % of the run so that a fit is still possible.
 */
export function defaultFitStart_fs(totalTime_fs: number): number {
  return Math.min(1000, 0.1 * totalTime_fs);
}

/** Time-origin-averaged MSD of `mobileSpecies` (pymatgen smoothed="max" lag grid). */
export function meanSquaredDisplacement(
  t: Trajectory,
  mobileSpecies: string,
  options: MsdOptions = {},
): MsdCurve {
  const { disp } = driftCorrectedDisplacements(t, mobileSpecies);
  const mobile = t.species.map((s, i) => (s === mobileSpecies ? i : -1)).filter((i) => i >= 0);
  if (mobile.length === 0) throw new Error(`MSD: no ${mobileSpecies} atoms in the trajectory`);
  const nFrames = disp.length;
  const fitStart = options.fitStart_fs ?? defaultFitStart_fs((nFrames - 1) * t.frameInterval_fs);
  const minObs = options.minObservations ?? 30;
  const maxLags = options.maxLags ?? 1000;
  const minLag = Math.max(1, Math.floor(fitStart / t.frameInterval_fs));
  const maxLag = Math.min(Math.floor((mobile.length * nFrames) / minObs), nFrames);
  if (minLag >= maxLag) {
    throw new Error(
      `MSD: not enough data (lags ${minLag}..${maxLag} frames); run longer, sample more often or lower fitStart_fs`,
    );
  }
  const stride = Math.max(Math.floor((maxLag - minLag) / maxLags), 1);
  const lags: number[] = [];
  for (let lag = minLag; lag < maxLag; lag += stride) lags.push(lag);
  const lag_fs = new Float64Array(lags.length);
  const msd = new Float64Array(lags.length);
  lags.forEach((lag, li) => {
    let sum = 0;
    for (let origin = 0; origin + lag < nFrames; origin++) {
      const a = disp[origin];
      const b = disp[origin + lag];
      for (const i of mobile) {
        const dx = b[3 * i] - a[3 * i];
        const dy = b[3 * i + 1] - a[3 * i + 1];
        const dz = b[3 * i + 2] - a[3 * i + 2];
        sum += dx * dx + dy * dy + dz * dz;
      }
    }
    lag_fs[li] = lag * t.frameInterval_fs;
    msd[li] = sum / ((nFrames - lag) * mobile.length);
  });
  return { lag_fs, msd_A2: msd, numMobile: mobile.length };
}

export interface DiffusionFit {
  /** Self-diffusion coefficient (cm²/s). */
  readonly diffusivity_cm2_per_s: number;
  /** Standard error of D from the weighted regression (statistical fit error only). */
  readonly diffusivityStdErr_cm2_per_s: number;
  /** Intercept of the MSD fit (Å²): vibrational amplitude. */
  readonly intercept_A2: number;
  readonly numPoints: number;
}

/**
 * Weighted least squares MSD = m t + c with weights 1/t; D = m / 6 (3-D).
 * Å²/fs → cm²/s is ×0.1. A negative slope (no diffusion seen) is clamped to 1e-15 Å²/fs as in
 * pymatgen so downstream logs stay finite; the standard error tells the caller it is noise.
 */
export function fitDiffusivity(curve: MsdCurve): DiffusionFit {
  const x = curve.lag_fs;
  const y = curve.msd_A2;
  const n = x.length;
  if (n < 3) throw new Error(`fitDiffusivity: need at least 3 MSD points, got ${n}`);
  const {
    slope,
    intercept,
    chi2: ssr,
    sw,
    det,
  } = weightedLineFit(
    x,
    y,
    Array.from(x, (t) => 1 / t),
  );
  const slopeVar = ((ssr / (n - 2)) * sw) / det;
  const toCm2PerS = 0.1 / 6;
  return {
    diffusivity_cm2_per_s: Math.max(slope, 1e-15) * toCm2PerS,
    diffusivityStdErr_cm2_per_s: Math.sqrt(slopeVar) * toCm2PerS,
    intercept_A2: intercept,
    numPoints: n,
  };
}

/**
 * Nernst–Einstein: σ = n q² D / (k T), n = carriers per volume, q = z e.
 * 20 Li in 958 Å³ at 300 K with D = 1e-7 cm²/s gives 12.94 mS/cm.
 */
export function nernstEinsteinConductivity_S_per_cm(args: {
  diffusivity_cm2_per_s: number;
  numCarriers: number;
  volume_A3: number;
  temperature_K: number;
  charge?: number;
}): number {
  const { diffusivity_cm2_per_s: d, numCarriers, volume_A3, temperature_K: T } = args;
  const z = args.charge ?? 1;
  if (!(volume_A3 > 0) || !(T > 0) || !(numCarriers > 0)) {
    throw new Error('nernstEinstein: volume, temperature and carrier count must be > 0');
  }
  const density_per_cm3 = numCarriers / (volume_A3 * 1e-24);
  const q = z * ELEMENTARY_CHARGE_C;
  return (density_per_cm3 * q * q * d) / (BOLTZMANN_J_PER_K * T);
}

/**
 * Standard error of D by block averaging (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461, 1989):
 * the run cut into `blocks` contiguous parts, D fitted in each, SE = sd(D_k) / √K. The weighted
 * regression's error treats the time-origin-averaged MSD points as independent, which they are
 * not: on a real CHGNet run (OBELiX Li7P3S11, 12 ps) it claimed 0.1 % where blocks give ~10 %.
 * Null when a block is too short to fit (fewer than 10 frames, or no fit).
 */
export function blockDiffusivityStdErr(
  t: Trajectory,
  mobileSpecies: string,
  options: MsdOptions & { blocks?: number } = {},
): number | null {
  const K = options.blocks ?? 5;
  const per = Math.floor(t.frames.length / K);
  if (K < 2 || per < 10) return null;
  const blockTime_fs = (per - 1) * t.frameInterval_fs;
  const fitStart_fs = Math.min(options.fitStart_fs ?? defaultFitStart_fs(blockTime_fs), 0.25 * blockTime_fs);
  const ds: number[] = [];
  for (let k = 0; k < K; k++) {
    const block: Trajectory = { ...t, frames: t.frames.slice(k * per, (k + 1) * per) };
    try {
      ds.push(
        fitDiffusivity(meanSquaredDisplacement(block, mobileSpecies, { ...options, fitStart_fs }))
          .diffusivity_cm2_per_s,
      );
    } catch {
      return null;
    }
  }
  const mean = ds.reduce((a, b) => a + b, 0) / K;
  const variance = ds.reduce((a, d) => a + (d - mean) ** 2, 0) / (K - 1);
  return Math.sqrt(variance / K);
}

export interface TrajectoryAnalysis extends DiffusionFit {
  readonly temperature_K: number;
  readonly conductivity_S_per_cm: number;
  readonly conductivityStdErr_S_per_cm: number;
  /** Block-averaging SE of D (null when the run is too short for blocks). */
  readonly diffusivityBlockStdErr_cm2_per_s: number | null;
  /** What downstream fits should use: the larger of the regression and block errors. */
  readonly diffusivityUncertainty_cm2_per_s: number;
  readonly conductivityUncertainty_S_per_cm: number;
  readonly msd: MsdCurve;
}

/** The whole chain for one temperature. */
export function analyseTrajectory(
  t: Trajectory,
  args: { mobileSpecies: string; temperature_K: number; charge?: number } & MsdOptions,
): TrajectoryAnalysis {
  const msd = meanSquaredDisplacement(t, args.mobileSpecies, args);
  const fit = fitDiffusivity(msd);
  const perD = nernstEinsteinConductivity_S_per_cm({
    diffusivity_cm2_per_s: 1,
    numCarriers: msd.numMobile,
    volume_A3: t.lattice.volume,
    temperature_K: args.temperature_K,
    charge: args.charge,
  });
  const block = blockDiffusivityStdErr(t, args.mobileSpecies, args);
  const uncertainty = Math.max(fit.diffusivityStdErr_cm2_per_s, block ?? 0);
  return {
    ...fit,
    temperature_K: args.temperature_K,
    conductivity_S_per_cm: fit.diffusivity_cm2_per_s * perD,
    conductivityStdErr_S_per_cm: fit.diffusivityStdErr_cm2_per_s * perD,
    diffusivityBlockStdErr_cm2_per_s: block,
    diffusivityUncertainty_cm2_per_s: uncertainty,
    conductivityUncertainty_S_per_cm: uncertainty * perD,
    msd,
  };
}
