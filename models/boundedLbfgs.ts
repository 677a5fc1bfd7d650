/**
 * Box-constrained L-BFGS (projected two-loop recursion + Armijo backtracking along the
 * projected path). Small and dependency-free; used to fit GP hyperparameters in log space,
 * where the boxes keep length scales and noise physically sensible.
 */

export interface Objective {
  /** Value and gradient at x; a non-finite value makes the line search back off. */
  (x: Float64Array): { value: number; gradient: Float64Array };
}

export interface LbfgsOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  maxIterations?: number;
  memory?: number;
  /** Stop when the projected gradient's max-norm falls below this. */
  gradientTolerance?: number;
  /** Stop when an iteration improves f by less than this times max(1, |f|). */
  relativeTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
}

export function minimizeBoxedLbfgs(f: Objective, x0: ArrayLike<number>, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const { lower, upper } = opts;
  const maxIter = opts.maxIterations ?? 200;
  const m = opts.memory ?? 10;
  const gtol = opts.gradientTolerance ?? 1e-5;
  const rtol = opts.relativeTolerance ?? 1e-10;
  const clamp = (v: Float64Array): Float64Array => {
    for (let i = 0; i < n; i++) v[i] = Math.min(upper[i], Math.max(lower[i], v[i]));
    return v;
  };
  let x = clamp(Float64Array.from(x0));
  let { value: fx, gradient: g } = f(x);
  let evaluations = 1;
  if (!Number.isFinite(fx)) throw new Error('L-BFGS: objective is not finite at the starting point');
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    // Variables pinned at a bound with the gradient pushing outward stay fixed this step.
    const free = new Uint8Array(n);
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      const pinned = (x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0);
      free[i] = pinned ? 0 : 1;
      if (!pinned) pgMax = Math.max(pgMax, Math.abs(g[i]));
    }
    if (pgMax < gtol) break;
    let dir = twoLoop(g, free, S, Y);
    if (!(dot(dir, g) < 0)) {
      // Curvature memory gave an ascent direction: fall back to steepest descent.
      S.length = 0;
      Y.length = 0;
      dir = twoLoop(g, free, S, Y);
    }
    let step = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(dir, dir))) : 1;
    let accepted = false;
    let xNew = x;
    let fNew = fx;
    let gNew = g;
    for (let tries = 0; tries < 40; tries++) {
      xNew = new Float64Array(n);
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      clamp(xNew);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i] * (xNew[i] - x[i]);
      const r = f(xNew);
      evaluations++;
      if (Number.isFinite(r.value) && r.value <= fx + 1e-4 * decrease) {
        fNew = r.value;
        gNew = r.gradient;
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = fx - fNew;
    x = xNew;
    fx = fNew;
    g = gNew;
    if (improvement <= rtol * Math.max(1, Math.abs(fx))) {
      iterations++;
      break;
    }
  }
  return { x, value: fx, iterations, evaluations };
}

function twoLoop(g: Float64Array, free: Uint8Array, S: Float64Array[], Y: Float64Array[]): Float64Array {
  const n = g.length;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = free[i] ? g[i] : 0;
  const k = S.length;
  const alpha = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const rho = 1 / dot(Y[j], S[j]);
    alpha[j] = rho * dotMasked(S[j], q, free);
    for (let i = 0; i < n; i++) if (free[i]) q[i] -= alpha[j] * Y[j][i];
  }
  if (k > 0) {
    const gamma = dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]);
    for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const rho = 1 / dot(Y[j], S[j]);
    const beta = rho * dotMasked(Y[j], q, free);
    for (let i = 0; i < n; i++) if (free[i]) q[i] += S[j][i] * (alpha[j] - beta);
  }
  for (let i = 0; i < n; i++) q[i] = free[i] ? -q[i] : 0;
  return q;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function dotMasked(a: Float64Array, b: Float64Array, mask: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (mask[i]) s += a[i] * b[i];
  return s;
}
