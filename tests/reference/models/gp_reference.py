"""scikit-learn reference for models/gaussianProcess.ts.

Input JSON: {X, y, Xq, lengthscales, signal_variance, noise_variance, thetas, optimize, bounds}
Kernel: ConstantKernel(signal) * Matern(length_scale=[...], nu=2.5) + WhiteKernel(noise),
normalize_y=True, alpha=0, on inputs standardized exactly as Crucible does (training mean,
population std, scale 1 for constant columns).
"""
import json
import warnings
import sys

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

warnings.simplefilter("ignore")  # bound warnings are expected; they would clutter test output
inp = json.load(sys.stdin)
X = np.array(inp["X"], dtype=float)
y = np.array(inp["y"], dtype=float)
mu = X.mean(axis=0)
sd = X.std(axis=0)
sd[sd <= 1e-12 * np.maximum(1, np.abs(mu))] = 1.0
Xs = (X - mu) / sd
out = {}

if inp.get("lengthscales") is not None:
    # optimizer=None keeps these values; non-fixed bounds keep them in theta for log_marginal_likelihood.
    wide = (1e-12, 1e12)
    kernel = ConstantKernel(inp["signal_variance"], wide) * Matern(
        length_scale=inp["lengthscales"], length_scale_bounds=wide, nu=2.5
    ) + WhiteKernel(inp["noise_variance"], wide)
    gp = GaussianProcessRegressor(kernel=kernel, optimizer=None, normalize_y=True, alpha=0.0)
    gp.fit(Xs, y)
    Xq = (np.array(inp["Xq"], dtype=float) - mu) / sd
    mean, std = gp.predict(Xq, return_std=True)
    # sklearn's std includes the WhiteKernel noise; Crucible reports the latent std.
    ystd = gp._y_train_std
    latent_var = std**2 - inp["noise_variance"] * ystd**2
    out["mean"] = mean.tolist()
    out["std_with_noise"] = std.tolist()
    out["latent_std"] = np.sqrt(np.maximum(latent_var, 0)).tolist()
    out["lml"] = float(gp.log_marginal_likelihood_value_)
    # theta order: log signal, log lengthscales..., log noise
    out["lml_at"] = [float(gp.log_marginal_likelihood(np.array(t))) for t in inp.get("thetas", [])]

if inp.get("optimize"):
    b = inp["bounds"]
    d = X.shape[1]
    kernel = ConstantKernel(1.0, tuple(b["signal_variance"])) * Matern(
        length_scale=[np.sqrt(d)] * d, length_scale_bounds=tuple(b["lengthscale"]), nu=2.5
    ) + WhiteKernel(1e-2, tuple(b["noise_variance"]))
    gp = GaussianProcessRegressor(
        kernel=kernel, normalize_y=True, alpha=0.0, n_restarts_optimizer=inp.get("restarts", 5), random_state=0
    )
    gp.fit(Xs, y)
    out["optimized_lml"] = float(gp.log_marginal_likelihood_value_)
    out["optimized_kernel"] = str(gp.kernel_)

json.dump(out, sys.stdout)
