"""scipy L-BFGS-B minimum of the bounded Rosenbrock function (reference for boundedLbfgs.ts)."""
import json
import sys

import numpy as np
from scipy.optimize import minimize, rosen, rosen_der

inp = json.load(sys.stdin)
r = minimize(rosen, np.array(inp["x0"]), jac=rosen_der, method="L-BFGS-B", bounds=inp["bounds"], options={"gtol": 1e-10, "ftol": 1e-15})
json.dump({"x": r.x.tolist(), "fun": float(r.fun)}, sys.stdout)
