"""scipy reference for models/hyperpriors.ts.

Input JSON: {points: [{t, loc, scale}]} with t = log x.
Output: {logpdf: [...], dlogpdf_dt: [...]}: scipy.stats.lognorm(s=scale, scale=exp(loc)).logpdf(x)
and its derivative in t = log x by a central difference (scipy has no analytic derivative).
"""
import json
import sys

import numpy as np
from scipy.stats import lognorm

inp = json.load(sys.stdin)
out = {"logpdf": [], "dlogpdf_dt": []}
h = 1e-5
for p in inp["points"]:
    dist = lognorm(s=p["scale"], scale=np.exp(p["loc"]))
    out["logpdf"].append(float(dist.logpdf(np.exp(p["t"]))))
    up = dist.logpdf(np.exp(p["t"] + h))
    down = dist.logpdf(np.exp(p["t"] - h))
    out["dlogpdf_dt"].append(float((up - down) / (2 * h)))
print(json.dumps(out))
