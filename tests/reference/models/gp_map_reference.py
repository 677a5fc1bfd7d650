"""scikit-learn + scipy reference for the GP's MAP fit (lengthscalePrior: 'dimension_scaled').

Input JSON: {X, y, theta, starts, ls_prior: {loc, scale}, noise_prior: {loc, scale}, bounds}
with theta / starts in Crucible's order [log ℓ..., log signal variance, log noise variance].
log posterior(θ) = sklearn's log_marginal_likelihood(θ) (standardized inputs and targets, as
gp_reference.py) + Σ lognorm.logpdf(ℓ_j) + lognorm.logpdf(noise variance).
Output: {log_posterior_at_theta, best_log_posterior}: the second from scipy L-BFGS-B runs
started at each of `starts`, within the same bounds.
"""
import json
import sys
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.stats import lognorm
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

warnings.simplefilter("ignore")
inp = json.load(sys.stdin)
X = np.array(inp["X"], dtype=float)
y = np.array(inp["y"], dtype=float)
mu, sd = X.mean(axis=0), X.std(axis=0)
sd[sd <= 1e-12 * np.maximum(1, np.abs(mu))] = 1.0
Xs = (X - mu) / sd
d = X.shape[1]
wide = (1e-12, 1e12)
kernel = ConstantKernel(1.0, wide) * Matern(length_scale=np.ones(d), length_scale_bounds=wide, nu=2.5) + WhiteKernel(
    1e-2, wide
)
gp = GaussianProcessRegressor(kernel=kernel, optimizer=None, normalize_y=True, alpha=0.0).fit(Xs, y)
lp, npr = inp["ls_prior"], inp["noise_prior"]
ls_dist = lognorm(s=lp["scale"], scale=np.exp(lp["loc"]))
noise_dist = lognorm(s=npr["scale"], scale=np.exp(npr["loc"]))


def to_sklearn(t):
    return np.concatenate([[t[d]], t[:d], [t[d + 1]]])


def log_posterior(t):
    t = np.asarray(t, dtype=float)
    lml, g = gp.log_marginal_likelihood(to_sklearn(t), eval_gradient=True)
    value = lml + ls_dist.logpdf(np.exp(t[:d])).sum() + noise_dist.logpdf(np.exp(t[d + 1]))
    grad = np.concatenate([g[1 : d + 1], [g[0]], [g[d + 1]]])
    z = (t[:d] - lp["loc"]) / lp["scale"]
    grad[:d] += -1 - z / lp["scale"]
    grad[d + 1] += -1 - (t[d + 1] - npr["loc"]) / npr["scale"] ** 2
    return value, grad


bounds = [tuple(b) for b in inp["bounds"]]
best = -np.inf
for s in inp["starts"]:
    r = minimize(lambda t: tuple(-v for v in log_posterior(t)), np.array(s), jac=True, method="L-BFGS-B", bounds=bounds)
    best = max(best, -r.fun)
print(json.dumps({"log_posterior_at_theta": float(log_posterior(inp["theta"])[0]), "best_log_posterior": float(best)}))
