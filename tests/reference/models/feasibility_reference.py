"""P(lower <= g <= upper) for g ~ N(mean, std^2), in 500-digit mpmath (reference for optimize/constraints.ts)."""
import json
import sys

import mpmath

mpmath.mp.dps = 500  # enough digits that 1 - Φ(30) survives the subtraction
inp = json.load(sys.stdin)
out = []
for mean, std, lower, upper in inp["cases"]:
    m, s = mpmath.mpf(mean), mpmath.mpf(std)
    hi = mpmath.mpf(1) if upper is None else mpmath.ncdf((mpmath.mpf(upper) - m) / s)
    lo = mpmath.mpf(0) if lower is None else mpmath.ncdf((mpmath.mpf(lower) - m) / s)
    p = hi - lo
    out.append([float(p), float(mpmath.log(p))])
json.dump(out, sys.stdout)
