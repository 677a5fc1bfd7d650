"""Closed-form EI / PI from scipy.stats.norm, and log EI in 60-digit mpmath (reference for acquisition.ts).

EI = s (z Φ(z) + φ(z)), PI = Φ(z), z = (mean - best - xi) / s.
"""
import json
import sys

import mpmath
from scipy.stats import norm

mpmath.mp.dps = 60
inp = json.load(sys.stdin)
out = {"ei": [], "pi": [], "log_pi": [], "log_ei": [], "log_h": []}
for mean, std, best, xi in inp["cases"]:
    z = (mean - best - xi) / std
    out["ei"].append(float(std * (z * norm.cdf(z) + norm.pdf(z))))
    out["pi"].append(float(norm.cdf(z)))
    out["log_pi"].append(float(norm.logcdf(z)))
    zm = (mpmath.mpf(mean) - mpmath.mpf(best) - mpmath.mpf(xi)) / mpmath.mpf(std)
    h = mpmath.npdf(zm) + zm * mpmath.ncdf(zm)
    out["log_ei"].append(float(mpmath.log(h) + mpmath.log(mpmath.mpf(std))))
for z in inp["zs"]:
    zm = mpmath.mpf(z)
    out["log_h"].append(float(mpmath.log(mpmath.npdf(zm) + zm * mpmath.ncdf(zm))))
json.dump(out, sys.stdout)
