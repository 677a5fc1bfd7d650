"""Augmented Chebyshev scalarization of Knowles (2006), eq. (2), in numpy (reference for optimize/parego.ts)."""
import json
import sys

import numpy as np

inp = json.load(sys.stdin)
Y = np.array(inp["Y"], dtype=float)  # maximization convention
w = np.array(inp["weights"], dtype=float)
cost = -Y  # Knowles minimizes
lo, hi = cost.min(axis=0), cost.max(axis=0)
span = np.where(hi > lo, hi - lo, 1.0)
f = np.where(hi > lo, (cost - lo) / span, 0.0)
out = np.max(w * f, axis=1) + inp["rho"] * np.sum(w * f, axis=1)
json.dump({"scalar": (-out).tolist()}, sys.stdout)
