"""Monte Carlo EI and PI of the augmented Chebyshev scalar (Knowles 2006, eq. 2) of independent
Gaussian objectives, in numpy with 2,000,000 draws (reference for parEgoSampledAcquisition)."""
import json
import sys

import numpy as np

inp = json.load(sys.stdin)
Y = np.array(inp["measured"], dtype=float)  # maximization convention
w = np.array(inp["weights"], dtype=float)
rho = inp["rho"]
hi, lo = Y.max(axis=0), Y.min(axis=0)
span = np.where(hi > lo, hi - lo, 1.0)


def scalar(F):
    cost = np.where(hi > lo, (hi - F) / span, 0.0)
    return -(np.max(w * cost, axis=-1) + rho * np.sum(w * cost, axis=-1))


best = scalar(Y).max()
rng = np.random.default_rng(0)
ei, pi = [], []
for mean, std in zip(inp["mean"], inp["std"]):
    F = np.array(mean) + np.array(std) * rng.standard_normal((2_000_000, len(w)))
    gain = scalar(F) - best
    ei.append(float(np.maximum(gain, 0).mean()))
    pi.append(float((gain > 0).mean()))
json.dump({"incumbent": float(best), "ei": ei, "pi": pi}, sys.stdout)
