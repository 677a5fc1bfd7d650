/**
 * A deep ensemble (Lakshminarayanan et al. 2017) of small multilayer perceptrons for
 * composition features: one tanh hidden layer, linear output, trained full-batch with Adam on
 * standardized inputs and targets (squared error + L2). Each member starts from its own seeded
 * Glorot initialization and sees its own bootstrap sample; `std` is the spread of the members'
 * predictions. Plain TypeScript (a few thousand weights: tfjs would add start-up cost and
 * float32 without making this faster), so it runs anywhere the campaign worker runs.
 */
import { createRng, Rng } from '../optimize/rng';
import { ensembleMoments } from './gradientBoosting';
import { applyColumnScaling, fitColumnScaling, fitTargetScaling, Scaling } from './standardize';
import type { Prediction, Surrogate } from './surrogate';
import { checkMatrix, checkTrainingData } from './validate';

export interface MlpEnsembleOptions {
  members?: number;
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights (scikit-learn's alpha, per sample: loss + alpha/(2n)·|W|²). */
  l2?: number;
  bootstrap?: boolean;
  inputScaling?: Scaling;
}

/** One member's weights: W1 (hidden x d), b1, w2 (hidden), b2. */
export interface MlpWeights {
  W1: number[];
  b1: number[];
  w2: number[];
  b2: number;
}

export interface MlpEnsembleJson {
  kind: 'mlp_ensemble';
  version: 1;
  options: Required<Omit<MlpEnsembleOptions, 'inputScaling'>>;
  d: number;
  xScaling: Scaling;
  yScaling: { mean: number; scale: number };
  members: MlpWeights[];
}

const DEFAULTS = { members: 5, hidden: 32, epochs: 400, learningRate: 0.01, l2: 1e-3, bootstrap: true };

export class MlpEnsemble implements Surrogate {
  readonly kind = 'mlp_ensemble';
  private readonly options: typeof DEFAULTS & { inputScaling?: Scaling };
  private state: {
    d: number;
    xScaling: Scaling;
    yScaling: { mean: number; scale: number };
    members: MlpWeights[];
  } | null = null;

  constructor(
    options: MlpEnsembleOptions = {},
    private readonly seed = 0,
  ) {
    this.options = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    const o = this.options;
    for (const k of ['members', 'hidden', 'epochs'] as const)
      if (!Number.isInteger(o[k]) || o[k] < 1)
        throw new Error(`mlp ensemble: ${k} must be a positive integer`);
    if (!(o.learningRate > 0) || !(o.l2 >= 0)) throw new Error('mlp ensemble: learningRate > 0 and l2 >= 0');
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    const { rows: n, cols: d } = checkTrainingData(X, y);
    const xScaling = this.options.inputScaling ?? fitColumnScaling(X);
    const Xs = applyColumnScaling(X, xScaling);
    const yScaling = fitTargetScaling(y);
    const ys = Float64Array.from(y, (v) => (v - yScaling.mean) / yScaling.scale);
    const rng = createRng(this.seed);
    const members: MlpWeights[] = [];
    for (let e = 0; e < this.options.members; e++) {
      const sample = Int32Array.from({ length: n }, (_, i) => (this.options.bootstrap ? rng.int(n) : i));
      members.push(trainMember(Xs, ys, d, sample, this.options, rng));
    }
    this.state = { d, xScaling: structuredClone(xScaling), yScaling, members };
  }

  predictMembers(X: readonly (readonly number[])[]): Float64Array[] {
    const s = this.require();
    const { rows: m } = checkMatrix(X, 'X', s.d);
    const Xs = applyColumnScaling(X, s.xScaling);
    return s.members.map((w) => {
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) out[i] = forward(w, Xs, i, s.d) * s.yScaling.scale + s.yScaling.mean;
      return out;
    });
  }

  predict(X: readonly (readonly number[])[]): Prediction {
    return ensembleMoments(this.predictMembers(X), X.length);
  }

  toJSON(): MlpEnsembleJson {
    const s = this.require();
    const { inputScaling: _s, ...options } = this.options;
    return {
      kind: 'mlp_ensemble',
      version: 1,
      options,
      d: s.d,
      xScaling: structuredClone(s.xScaling),
      yScaling: { ...s.yScaling },
      members: structuredClone(s.members),
    };
  }

  static fromJSON(json: MlpEnsembleJson): MlpEnsemble {
    if (json?.kind !== 'mlp_ensemble' || json.version !== 1) throw new Error('not a serialized MLP ensemble');
    const m = new MlpEnsemble(json.options);
    m.state = {
      d: json.d,
      xScaling: json.xScaling,
      yScaling: json.yScaling,
      members: structuredClone(json.members),
    };
    return m;
  }

  private require() {
    if (!this.state) throw new Error('MLP ensemble is not fitted: call fit() first');
    return this.state;
  }
}

/** Standardized-unit output of one member for row i of Xs. */
export function forward(w: MlpWeights, Xs: Float64Array, i: number, d: number): number {
  const H = w.b1.length;
  let out = w.b2;
  for (let h = 0; h < H; h++) {
    let a = w.b1[h];
    for (let k = 0; k < d; k++) a += w.W1[h * d + k] * Xs[i * d + k];
    out += w.w2[h] * Math.tanh(a);
  }
  return out;
}

function trainMember(
  Xs: Float64Array,
  ys: Float64Array,
  d: number,
  sample: Int32Array,
  o: typeof DEFAULTS,
  rng: Rng,
): MlpWeights {
  const H = o.hidden;
  const n = sample.length;
  // Parameters in one vector: W1 (H*d), b1 (H), w2 (H), b2 (1).
  const P = H * d + 2 * H + 1;
  const theta = new Float64Array(P);
  const g1 = Math.sqrt(6 / (d + H));
  for (let i = 0; i < H * d; i++) theta[i] = (2 * rng.next() - 1) * g1;
  const g2 = Math.sqrt(6 / (H + 1));
  for (let h = 0; h < H; h++) theta[H * d + H + h] = (2 * rng.next() - 1) * g2;
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const grad = new Float64Array(P);
  const act = new Float64Array(H);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const ob1 = H * d;
  const ow2 = ob1 + H;
  const ob2 = ow2 + H;
  for (let t = 1; t <= o.epochs; t++) {
    grad.fill(0);
    for (let s = 0; s < n; s++) {
      const i = sample[s];
      let out = theta[ob2];
      for (let h = 0; h < H; h++) {
        let a = theta[ob1 + h];
        for (let k = 0; k < d; k++) a += theta[h * d + k] * Xs[i * d + k];
        act[h] = Math.tanh(a);
        out += theta[ow2 + h] * act[h];
      }
      const err = (out - ys[i]) / n; // d/d out of ½·mean squared error
      grad[ob2] += err;
      for (let h = 0; h < H; h++) {
        grad[ow2 + h] += err * act[h];
        const da = err * theta[ow2 + h] * (1 - act[h] * act[h]);
        grad[ob1 + h] += da;
        for (let k = 0; k < d; k++) grad[h * d + k] += da * Xs[i * d + k];
      }
    }
    for (let p = 0; p < ob1; p++) grad[p] += (o.l2 / n) * theta[p];
    for (let p = ow2; p < ob2; p++) grad[p] += (o.l2 / n) * theta[p];
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    for (let p = 0; p < P; p++) {
      m1[p] = beta1 * m1[p] + (1 - beta1) * grad[p];
      m2[p] = beta2 * m2[p] + (1 - beta2) * grad[p] * grad[p];
      theta[p] -= (o.learningRate * (m1[p] / c1)) / (Math.sqrt(m2[p] / c2) + eps);
    }
  }
  return {
    W1: Array.from(theta.subarray(0, ob1)),
    b1: Array.from(theta.subarray(ob1, ow2)),
    w2: Array.from(theta.subarray(ow2, ob2)),
    b2: theta[ob2],
  };
}
