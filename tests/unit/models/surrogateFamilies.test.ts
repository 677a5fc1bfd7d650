import { GaussianProcess } from '../../../models/gaussianProcess';
import { GradientBoosting } from '../../../models/gradientBoosting';
import { KernelRidge } from '../../../models/kernelRidge';
import { MlpEnsemble } from '../../../models/mlpEnsemble';
import { SparseGaussianProcess } from '../../../models/sparseGp';
import { applyColumnScaling, fitColumnScaling } from '../../../models/standardize';
import { runPython } from '../../helpers/python';
import { friedman1, maxRelativeError, rSquared, uniformMatrix } from './synthetic';

const X_train = uniformMatrix(150, 6, 41);
const y_train = friedman1(X_train, 0.5, 42);
const X_test = uniformMatrix(200, 6, 43);
const y_test = friedman1(X_test, 0, 44);
/** Far outside the unit cube the training data fill. */
const X_far = uniformMatrix(50, 6, 45).map((r) => r.map((v) => v + 3));

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const avg = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe('GradientBoosting', () => {
  // Small nodes of later stages often have several splits (different features or thresholds)
  // that partition the training rows identically, with exactly equal gain; which one is kept
  // depends on the feature order (ours vs scikit-learn's permutation), so predictions *between*
  // training points may differ while every stage's fit to the training rows is the same. So:
  // training-row predictions must match scikit-learn exactly, and test R² closely.
  const ref = runPython<{ train: number[]; test: number[]; r2: number }>(
    `
import json, sys
import numpy as np
from sklearn.ensemble import GradientBoostingRegressor
a = json.load(sys.stdin)
X, Xt = np.array(a["X"]), np.array(a["Xt"])
g = GradientBoostingRegressor(n_estimators=60, learning_rate=0.1, max_depth=3, subsample=1.0, max_features=None,
                              random_state=0).fit(X, np.array(a["y"]))
print(json.dumps({"train": g.predict(X).tolist(), "test": g.predict(Xt).tolist(), "r2": g.score(Xt, np.array(a["yt"]))}))
`,
    { X: X_train, y: y_train, Xt: X_test, yt: y_test },
  );

  it('one member without bootstrap fits the training rows exactly as scikit-learn GradientBoostingRegressor', () => {
    const g = new GradientBoosting({ members: 1, bootstrap: false, stages: 60 }, 0);
    g.fit(X_train, y_train);
    expect(maxAbs(g.predict(X_train).mean, ref.train)).toBeLessThan(1e-9);
    const p = g.predict(X_test);
    expect(Math.abs(rSquared(y_test, p.mean) - ref.r2)).toBeLessThan(0.03);
    expect(Math.max(...p.std)).toBe(0);
  });

  it('the bootstrap ensemble is accurate, spreads more away from the data, and restores exactly', () => {
    const g = new GradientBoosting({ members: 6, stages: 60 }, 3);
    g.fit(X_train, y_train);
    const p = g.predict(X_test);
    const r2 = rSquared(y_test, p.mean);
    expect(r2).toBeGreaterThan(ref.r2 - 0.1);
    expect(Math.min(...p.std)).toBeGreaterThan(0);
    expect(GradientBoosting.fromJSON(JSON.parse(JSON.stringify(g.toJSON()))).predict(X_test)).toEqual(p);
  });

  describe("uncertainty 'quantile' vs GradientBoostingRegressor(loss='quantile')", () => {
    // A pinball-loss tree is grown on a two-valued gradient (α or α − 1), so equal-gain splits
    // that partition the rows differently are common and, after a few stages, ours and
    // scikit-learn's (different feature permutations) part ways. Hence two checks: the first
    // stages, before any such tie, exactly on the training rows (start percentile, gradient,
    // leaf line search, std from the quantiles); then 60 stages statistically on held-out noisy
    // data (pinball loss, interval coverage), as any two valid fits should agree.
    const X_held = uniformMatrix(500, 6, 46);
    const y_held = friedman1(X_held, 0.5, 47);
    const q = runPython<{
      early: { lo: number[]; hi: number[]; std: number[] };
      full: { lo: number[]; hi: number[] };
    }>(
      `
import json, sys
import numpy as np
from scipy.stats import norm
from sklearn.ensemble import GradientBoostingRegressor
a = json.load(sys.stdin)
X, y, Xh = np.array(a["X"]), np.array(a["y"]), np.array(a["Xh"])
def fit(alpha, stages):
    return GradientBoostingRegressor(loss="quantile", alpha=alpha, n_estimators=stages, learning_rate=0.1, max_depth=3,
                                     subsample=1.0, max_features=None, random_state=0).fit(X, y)
lo, hi = fit(0.05, 5).predict(X), fit(0.95, 5).predict(X)
early = {"lo": lo.tolist(), "hi": hi.tolist(), "std": ((hi - lo) / (2 * norm.ppf(0.95))).tolist()}
full = {"lo": fit(0.05, 60).predict(Xh).tolist(), "hi": fit(0.95, 60).predict(Xh).tolist()}
print(json.dumps({"early": early, "full": full}))
`,
      { X: X_train, y: y_train, Xh: X_held },
    );
    const quantileModel = (stages: number) => {
      const g = new GradientBoosting({ members: 1, bootstrap: false, stages, uncertainty: 'quantile' }, 0);
      g.fit(X_train, y_train);
      return g;
    };
    const pinball = (pred: ArrayLike<number>, alpha: number) =>
      avg(Array.from(pred, (p, i) => (y_held[i] >= p ? alpha : alpha - 1) * (y_held[i] - p)));
    const coverage = (lo: ArrayLike<number>, hi: ArrayLike<number>) =>
      avg(y_held.map((v, i) => (v >= lo[i] && v <= hi[i] ? 1 : 0)));

    it('the first 5 stages fit the training rows exactly as scikit-learn, and std = (q95 − q05) / (2 Φ⁻¹(0.95))', () => {
      const g = quantileModel(5);
      const [mean, lo, hi] = g.predictMembers(X_train);
      expect(maxAbs(lo, q.early.lo)).toBeLessThan(1e-9);
      expect(maxAbs(hi, q.early.hi)).toBeLessThan(1e-9);
      const p = g.predict(X_train);
      expect(maxAbs(p.std, q.early.std)).toBeLessThan(1e-9);
      // The mean is the squared-loss model, the same as one member without bootstrap.
      const plain = new GradientBoosting({ members: 1, bootstrap: false, stages: 5 }, 0);
      plain.fit(X_train, y_train);
      expect(p.mean).toEqual(plain.predict(X_train).mean);
      expect(mean).toEqual(p.mean);
    });

    it("60 stages: held-out pinball loss and 90 % interval coverage as scikit-learn's", () => {
      const g = quantileModel(60);
      const [, lo, hi] = g.predictMembers(X_held);
      expect(pinball(lo, 0.05)).toBeLessThan(1.2 * pinball(q.full.lo, 0.05));
      expect(pinball(hi, 0.95)).toBeLessThan(1.2 * pinball(q.full.hi, 0.95));
      expect(Math.abs(coverage(lo, hi) - coverage(q.full.lo, q.full.hi))).toBeLessThan(0.06);
      // Unlike the bootstrap spread, the quantile width does not vanish at the training rows.
      expect(Math.min(...g.predict(X_train).std)).toBeGreaterThan(0);
      expect(GradientBoosting.fromJSON(JSON.parse(JSON.stringify(g.toJSON()))).predict(X_held)).toEqual(
        g.predict(X_held),
      );
    });

    it('refuses members or bootstrap with the quantile mode (they would be ignored)', () => {
      expect(() => new GradientBoosting({ members: 4, uncertainty: 'quantile' })).toThrow(/members: 1/);
      expect(() => new GradientBoosting({ members: 1, uncertainty: 'quantile' })).toThrow(/bootstrap: false/);
    });
  });
});

describe('KernelRidge', () => {
  const xs = fitColumnScaling(X_train);
  const Xs = (X: number[][]) => {
    const f = applyColumnScaling(X, xs);
    return X.map((_, i) => Array.from(f.subarray(i * 6, (i + 1) * 6)));
  };
  it('mean equals scikit-learn KernelRidge and std the GP-equivalent posterior std (numpy)', () => {
    const kr = new KernelRidge({ gamma: 0.15, alpha: 0.05 });
    kr.fit(X_train, y_train);
    const p = kr.predict([...X_test, ...X_far]);
    const ref = runPython<{ mean: number[]; std: number[] }>(
      `
import json, sys
import numpy as np
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import rbf_kernel
a = json.load(sys.stdin)
X, Xt, y = np.array(a["X"]), np.array(a["Xt"]), np.array(a["y"])
mu, sd = y.mean(), y.std()
ys = (y - mu) / sd
m = KernelRidge(alpha=0.05, kernel="rbf", gamma=0.15).fit(X, ys)
K = rbf_kernel(X, X, gamma=0.15) + 0.05 * np.eye(len(X))
s2 = ys @ np.linalg.solve(K, ys) / len(X)
k = rbf_kernel(Xt, X, gamma=0.15)
var = s2 * (1 - np.einsum("ij,ji->i", k, np.linalg.solve(K, k.T)))
print(json.dumps({"mean": (m.predict(Xt) * sd + mu).tolist(), "std": (np.sqrt(np.maximum(var, 0)) * sd).tolist()}))
`,
      { X: Xs(X_train), Xt: Xs([...X_test, ...X_far]), y: y_train },
    );
    expect(maxRelativeError(p.mean, ref.mean, 1e-6)).toBeLessThan(1e-8);
    expect(maxRelativeError(p.std, ref.std, 1e-6)).toBeLessThan(1e-6);
    expect(avg(p.std.subarray(200))).toBeGreaterThan(2 * avg(p.std.subarray(0, 200)));
  });

  it('picks gamma and alpha by leave-one-out error and predicts well', () => {
    const kr = new KernelRidge();
    kr.fit(X_train, y_train);
    expect(rSquared(y_test, kr.predict(X_test).mean)).toBeGreaterThan(0.8);
    const back = KernelRidge.fromJSON(JSON.parse(JSON.stringify(kr.toJSON())));
    expect(back.predict(X_test)).toEqual(kr.predict(X_test));
  });
});

describe('MlpEnsemble', () => {
  const mlp = new MlpEnsemble({ members: 4, epochs: 300 }, 7);
  mlp.fit(X_train, y_train);
  it('forward pass equals numpy on the exported weights; accuracy near scikit-learn MLPRegressor', () => {
    const json = mlp.toJSON();
    const ref = runPython<{ members: number[][]; r2_sklearn: number }>(
      `
import json, sys
import numpy as np
from sklearn.neural_network import MLPRegressor
a = json.load(sys.stdin)
m = a["model"]
Xt = (np.array(a["Xt"]) - np.array(m["xScaling"]["mean"])) / np.array(m["xScaling"]["scale"])
out = []
for w in m["members"]:
    W1 = np.array(w["W1"]).reshape(len(w["b1"]), m["d"])
    h = np.tanh(Xt @ W1.T + np.array(w["b1"]))
    out.append(((h @ np.array(w["w2"]) + w["b2"]) * m["yScaling"]["scale"] + m["yScaling"]["mean"]).tolist())
X = np.array(a["X"]); xs = (X - X.mean(0)) / X.std(0)
y = np.array(a["y"]); ys = (y - y.mean()) / y.std()
r2 = []
for seed in range(3):
    s = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", solver="adam", learning_rate_init=0.01,
                     alpha=1e-3, batch_size=len(X), max_iter=300, random_state=seed).fit(xs, ys)
    pred = s.predict((np.array(a["Xt"]) - X.mean(0)) / X.std(0)) * y.std() + y.mean()
    yt = np.array(a["yt"])
    r2.append(1 - ((yt - pred) ** 2).sum() / ((yt - yt.mean()) ** 2).sum())
print(json.dumps({"members": out, "r2_sklearn": float(np.mean(r2))}))
`,
      { model: json, X: X_train, y: y_train, Xt: X_test, yt: y_test },
    );
    const members = mlp.predictMembers(X_test);
    members.forEach((m, e) => expect(maxAbs(m, ref.members[e])).toBeLessThan(1e-10));
    const r2 = rSquared(y_test, mlp.predict(X_test).mean);
    console.log(`MLP ensemble R² ${r2.toFixed(3)}, sklearn MLPRegressor ${ref.r2_sklearn.toFixed(3)}`);
    expect(r2).toBeGreaterThan(0.8);
    expect(r2).toBeGreaterThan(ref.r2_sklearn - 0.05);
  });

  it('members disagree more away from the data; restores exactly', () => {
    expect(avg(mlp.predict(X_far).std)).toBeGreaterThan(1.5 * avg(mlp.predict(X_test).std));
    expect(MlpEnsemble.fromJSON(JSON.parse(JSON.stringify(mlp.toJSON()))).predict(X_test)).toEqual(
      mlp.predict(X_test),
    );
  });
});

describe('SparseGaussianProcess (DTC, k-means inducing points)', () => {
  const hyper = { lengthscales: [0.8, 0.9, 1.5, 2, 2, 5], signalVariance: 1.1, noiseVariance: 0.02 };
  it('equals a numpy implementation of the DTC formulas', () => {
    const sgp = new SparseGaussianProcess({ hyperparameters: hyper, inducing: 25 }, 1);
    sgp.fit(X_train, y_train);
    const p = sgp.predict([...X_test, ...X_far]);
    const ref = runPython<{ mean: number[]; std: number[] }>(
      `
import json, sys
import numpy as np
a = json.load(sys.stdin)
def k(A, B, h):
    A = A / h["lengthscales"]; B = B / h["lengthscales"]
    r = np.sqrt(np.maximum(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1), 0))
    return h["signalVariance"] * (1 + np.sqrt(5) * r + 5 / 3 * r * r) * np.exp(-np.sqrt(5) * r)
X, Xt, y, U, h = np.array(a["X"]), np.array(a["Xt"]), np.array(a["y"]), np.array(a["U"]), a["h"]
mu, sd = X.mean(0), X.std(0)
Xs, Xts = (X - mu) / sd, (Xt - mu) / sd
ys = (y - y.mean()) / y.std()
s2n = h["noiseVariance"]
Kuu, Kuf, Kus = k(U, U, h), k(U, Xs, h), k(U, Xts, h)
Sigma = np.linalg.inv(Kuu + Kuf @ Kuf.T / s2n)
mean = Kus.T @ Sigma @ Kuf @ ys / s2n
var = h["signalVariance"] - np.einsum("ij,ij->j", Kus, np.linalg.solve(Kuu, Kus)) + np.einsum("ij,ij->j", Kus, Sigma @ Kus)
print(json.dumps({"mean": (mean * y.std() + y.mean()).tolist(), "std": (np.sqrt(np.maximum(var, 0)) * y.std()).tolist()}))
`,
      { X: X_train, Xt: [...X_test, ...X_far], y: y_train, U: sgp.inducingPoints, h: hyper },
    );
    expect(maxRelativeError(p.mean, ref.mean, 1e-3)).toBeLessThan(1e-6);
    expect(maxRelativeError(p.std, ref.std, 1e-3)).toBeLessThan(1e-6);
    expect(rSquared(y_test, p.mean.subarray(0, 200))).toBeGreaterThan(0.7); // 25 inducing points
  });

  it('with every training input as an inducing point it is the exact GP', () => {
    const xs = fitColumnScaling(X_train);
    const f = applyColumnScaling(X_train, xs);
    const U = X_train.map((_, i) => Array.from(f.subarray(i * 6, (i + 1) * 6)));
    const sgp = new SparseGaussianProcess({ hyperparameters: hyper, inducingPoints: U });
    sgp.fit(X_train, y_train);
    const gp = new GaussianProcess({ hyperparameters: hyper });
    gp.fit(X_train, y_train);
    const [a, b] = [sgp.predict(X_test), gp.predict(X_test)];
    expect(maxAbs(a.mean, b.mean)).toBeLessThan(1e-6);
    expect(maxAbs(a.std, b.std)).toBeLessThan(1e-5);
  });

  it('fits hyperparameters on a subset by itself and restores exactly', () => {
    const sgp = new SparseGaussianProcess({ inducing: 40, subsetSize: 80 }, 2);
    sgp.fit(X_train, y_train);
    expect(rSquared(y_test, sgp.predict(X_test).mean)).toBeGreaterThan(0.8);
    const back = SparseGaussianProcess.fromJSON(JSON.parse(JSON.stringify(sgp.toJSON())));
    expect(maxAbs(back.predict(X_test).mean, sgp.predict(X_test).mean)).toBeLessThan(1e-12);
  });
});

describe('conditionOn (Kriging believer) for kernel ridge and the sparse GP', () => {
  it('keeps the fitted hyperparameters and shrinks the std at the fantasized rows', () => {
    const kr = new KernelRidge();
    kr.fit(X_train.slice(0, 60), y_train.slice(0, 60));
    const sgp = new SparseGaussianProcess({ inducing: 20, subsetSize: 60 }, 1);
    sgp.fit(X_train.slice(0, 60), y_train.slice(0, 60));
    const at = X_far.slice(0, 3);
    for (const model of [kr, sgp]) {
      const before = model.predict(at);
      const next = model.conditionOn(at, Array.from(before.mean));
      const after = next.predict(at);
      expect(maxAbs(after.mean, before.mean)).toBeLessThan(0.2 * avg(before.std) + 1e-9);
      expect(avg(after.std)).toBeLessThan(avg(before.std));
    }
    const kr2 = kr.conditionOn(at, [1, 2, 3]);
    expect(kr2.hyperparameters.gamma).toBe(kr.hyperparameters.gamma);
    expect(kr2.hyperparameters.alpha).toBe(kr.hyperparameters.alpha);
    expect(sgp.conditionOn(at, [1, 2, 3]).inducingPoints).toEqual(sgp.inducingPoints);
  });
});
