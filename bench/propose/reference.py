"""Python reference for `npm run bench -- propose` (run in the MD venv, infra/install-md-python.sh).

Same data (binary files written by bench/propose/main.ts), same batch size, same repeats:
- gp: the exact GP with Crucible's fitted hyperparameters (ARD Matern 5/2, same input scaling,
  standardized targets) in numpy/scipy (BLAS): Cholesky, posterior over the pool, log EI, then
  the Kriging believer as rank-1 updates of the posterior variance (a fantasy at the mean leaves
  the mean unchanged). BoTorch itself was tried and dropped as the timing reference: its
  discrete recipe (qLogExpectedImprovement + optimize_acqf_discrete) took 160 s and analytic
  LogEI + condition_on_observations 216 s for 2,000 candidates on this 2-core machine.
- random_forest: scikit-learn RandomForestRegressor (200 trees, max_features 1/3), then the
  same Kriging believer as Crucible in numpy: per-tree leaf predictions for the pool, log EI,
  pick, add the fantasy to the picked candidate's leaf in every tree, rescore.
One thread (torch and BLAS), like Crucible's single-threaded selection.

stdin JSON: {dir, n, d, m_max, sizes, q, repeats, acquisition, surrogates, gp_hyperparameters,
scaling}. stdout (last line): {gp: {p95_s_10k, ...}, random_forest: {...}, versions}.
"""
import json
import math
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.special  # noqa: E402
import sklearn  # noqa: E402
import scipy  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402

warnings.simplefilter("ignore")

spec = json.load(sys.stdin)
n, d, m_max, q, repeats = spec["n"], spec["d"], spec["m_max"], spec["q"], spec["repeats"]
X = np.fromfile(os.path.join(spec["dir"], "X.bin"), dtype=np.float64).reshape(n, d)
y = np.fromfile(os.path.join(spec["dir"], "y.bin"), dtype=np.float64)
pool = np.fromfile(os.path.join(spec["dir"], "pool.bin"), dtype=np.float64).reshape(m_max, d)
label = lambda m: f"{m // 1000}k" if m % 1000 == 0 else str(m)  # noqa: E731


def p95(xs):
    s = sorted(xs)
    return s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)]


def log(msg):
    print(f"[bench propose reference] {msg}", file=sys.stderr, flush=True)


out = {}

def log_ei(mean, std, best):
    # log EI via log h(z) + log std with the stable tail of Ament et al. (2023).
    z = (mean - best) / np.maximum(std, 1e-300)
    out = np.empty_like(z)
    hi = z > -1
    zh = z[hi]
    out[hi] = np.log(scipy.special.ndtr(zh) * zh + np.exp(-0.5 * zh * zh) / math.sqrt(2 * math.pi))
    zl = z[~hi]
    c1 = 0.5 * math.log(2 * math.pi)
    c2 = 0.5 * math.log(math.pi / 2)
    a = np.log(np.abs(zl)) + np.log(scipy.special.erfcx(-zl / math.sqrt(2))) + c2
    out[~hi] = -0.5 * zl * zl - c1 + np.log(-np.expm1(a))
    return out + np.log(np.maximum(std, 1e-300))


def matern52(A, B, ls, s2):
    A = A / ls
    B = B / ls
    r2 = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    r = np.sqrt(np.maximum(r2, 0.0))
    return s2 * (1 + math.sqrt(5) * r + 5.0 / 3.0 * r * r) * np.exp(-math.sqrt(5) * r)


if "gp" in spec["surrogates"] and spec["gp_hyperparameters"]:
    import scipy.linalg

    h = spec["gp_hyperparameters"]
    ls = np.asarray(h["lengthscales"])
    s2, noise = h["signalVariance"], h["noiseVariance"]
    mu = np.asarray(spec["scaling"]["mean"])
    sc = np.asarray(spec["scaling"]["scale"])
    Xs = (X - mu) / sc
    ys = (y - y.mean()) / y.std()
    entry = {}
    for m in spec["sizes"]:
        P = (pool[:m] - mu) / sc
        times = []
        for r in range(repeats):
            t = time.perf_counter()
            L = scipy.linalg.cho_factor(matern52(Xs, Xs, ls, s2) + noise * np.eye(n), lower=True)
            alpha = scipy.linalg.cho_solve(L, ys)
            Ks = matern52(P, Xs, ls, s2)  # m x n
            mean = Ks @ alpha
            V = scipy.linalg.solve_triangular(L[0], Ks.T, lower=True)  # n x m
            var = np.maximum(s2 - (V * V).sum(0), 0.0)
            del V
            best = ys.max()
            picked = np.zeros(m, dtype=bool)
            cols = []  # posterior covariance columns c(., p_j) after the earlier fantasies
            for k in range(q):
                score = log_ei(mean, np.sqrt(var), best)
                score[picked] = -np.inf
                i = int(np.argmax(score))
                picked[i] = True
                if k + 1 < q:
                    # Kriging believer: the mean is unchanged; rank-1 update of the covariance.
                    c = matern52(P, P[i : i + 1], ls, s2)[:, 0] - Ks @ scipy.linalg.cho_solve(L, Ks[i])
                    for cj, dj in cols:
                        c -= cj * cj[i] / dj
                    dj = var[i] + noise
                    var = np.maximum(var - c * c / dj, 0.0)
                    cols.append((c, dj))
                    best = max(best, mean[i])
            times.append(time.perf_counter() - t)
            log(f"gp m={m} repeat {r + 1}/{repeats}: {times[-1]:.3f} s")
        entry[f"p95_s_{label(m)}"] = round(p95(times), 4)
        entry[f"times_s_{label(m)}"] = [round(t, 4) for t in times]
    entry["method"] = (
        "numpy/scipy exact GP (same hyperparameters, Cholesky included), log EI, "
        "Kriging believer by rank-1 covariance updates"
    )
    out["gp"] = entry


if "random_forest" in spec["surrogates"]:
    t = time.perf_counter()
    rf = RandomForestRegressor(n_estimators=200, max_features=1 / 3, random_state=0, n_jobs=1).fit(X, y)
    fit_s = time.perf_counter() - t
    values = [est.tree_.value[:, 0, 0].copy() for est in rf.estimators_]
    counts = [est.tree_.weighted_n_node_samples.copy() for est in rf.estimators_]
    entry = {"fit_s": round(fit_s, 4)}
    for m in spec["sizes"]:
        times = []
        for r in range(repeats):
            t = time.perf_counter()
            leaves = rf.apply(pool[:m])  # m x T
            T = leaves.shape[1]
            vals = [v.copy() for v in values]
            cnts = [c.copy() for c in counts]
            P = np.stack([vals[k][leaves[:, k]] for k in range(T)], axis=1)
            best = y.max()
            picked = np.zeros(m, dtype=bool)
            for k in range(q):
                mean = P.mean(axis=1)
                std = P.std(axis=1)
                score = log_ei(mean, std, best)
                score[picked] = -np.inf
                i = int(np.argmax(score))
                picked[i] = True
                if k + 1 < q:
                    fantasy = mean[i]
                    for tt in range(T):
                        leaf = leaves[i, tt]
                        new = (vals[tt][leaf] * cnts[tt][leaf] + fantasy) / (cnts[tt][leaf] + 1)
                        vals[tt][leaf] = new
                        cnts[tt][leaf] += 1
                        P[leaves[:, tt] == leaf, tt] = new
                    best = max(best, fantasy)
            times.append(time.perf_counter() - t)
            log(f"random_forest m={m} repeat {r + 1}/{repeats}: {times[-1]:.3f} s")
        entry[f"p95_s_{label(m)}"] = round(p95(times), 4)
        entry[f"times_s_{label(m)}"] = [round(t, 4) for t in times]
    entry["method"] = "scikit-learn RandomForestRegressor + numpy Kriging believer (leaf fantasies), log EI"
    out["random_forest"] = entry

out["versions"] = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}
out["threads"] = 1
print(json.dumps(out))
