"""Kriging-believer batch on a deep ensemble's joint Gaussian, by full-matrix conditioning in numpy
(reference for optimize/ensembleBelief, which updates the members' weight covariance instead).

The ensemble as a Gaussian over candidates and pending experiments (the ensemble Kalman filter's
sample covariance, Evensen 1994, shrunk toward its diagonal by λ, Hamill et al. 2001):
  Σ = (1−λ)·D·Dᵀ + diag(λ·e + a),  e_i = Σ_k D_ik²,  a_i = std_i² − e_i,
so Σ_ii = std_i². Fantasizing a point at its mean leaves every mean and conditions Σ on it
(Ginsbourger et al. 2010): Σ ← Σ − Σ[:,O]·Σ[O,O]⁻¹·Σ[O,:] over all fantasized points O at once.
EI is Jones et al. 1998's closed form."""
import json
import sys

import numpy as np
from scipy.stats import norm

inp = json.load(sys.stdin)
lam = inp["shrinkage"]
D = np.array(inp["deviations"], dtype=float).T  # candidates × members
std = np.array(inp["std"], dtype=float)
P = np.array(inp["pending_deviations"], dtype=float).T if inp["pending_std"] else np.zeros((0, D.shape[1]))
D_all = np.vstack([D, P])
std_all = np.concatenate([std, np.array(inp["pending_std"], dtype=float)])
n = len(std)
e = (D_all**2).sum(axis=1)
a = std_all**2 - e
S = (1 - lam) * D_all @ D_all.T + np.diag(lam * e + a)
pending = list(range(n, len(std_all)))


def posterior_std(observed):
    if not observed:
        return np.sqrt(np.diag(S)[:n])
    O = np.array(observed)
    K = S[np.ix_(range(n), O)]
    post = np.diag(S)[:n] - np.einsum("ij,ji->i", K, np.linalg.solve(S[np.ix_(O, O)], K.T))
    return np.sqrt(np.maximum(post, 0))


def posterior_cov(observed):
    O = np.array(observed, dtype=int)
    K = S[np.ix_(range(n), O)]
    return S[:n, :n] - K @ np.linalg.solve(S[np.ix_(O, O)], K.T) if observed else S[:n, :n]


cov_after_pending = posterior_cov(pending)
mean = np.array(inp["mean"], dtype=float)
best = inp["incumbent"]
picks, scores, stds = [], [], []
observed = list(pending)
for _ in range(inp["q"]):
    s = posterior_std(observed)
    stds.append(s.tolist())
    z = (mean - best) / s
    ei = (mean - best) * norm.cdf(z) + s * norm.pdf(z)
    ei[picks] = -np.inf
    j = int(np.argmax(ei))
    picks.append(j)
    scores.append(float(ei[j]))
    observed.append(j)
json.dump({"picks": picks, "scores": scores, "stds": stds, "cov_after_pending": cov_after_pending.tolist()}, sys.stdout)
