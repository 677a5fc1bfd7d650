"""scipy / Monte-Carlo reference for optimize/discoveryMetrics.ts.

Input JSON: {N, K, draws: [i...], hits: [r...], trials, seed}.
Output:
- hypergeom_mean_fraction[i]: E[found after i draws]/K from scipy.stats.hypergeom (sampling
  without replacement), the closed form's i/N;
- nhypergeom_draws[r]: expected draws to the r-th top candidate, r + mean of
  scipy.stats.nhypergeom(M=N, n=N - K, r=r) (scipy's n counts the "red" balls drawn before the
  r-th of the other colour, i.e. the non-top candidates before the r-th top one);
- mc_fraction[i], mc_draws[r]: the same by simulating random permutations.
"""
import json
import sys

import numpy as np
from scipy.stats import hypergeom, nhypergeom

inp = json.load(sys.stdin)
N, K = inp["N"], inp["K"]
rng = np.random.default_rng(inp["seed"])
out = {
    "hypergeom_mean_fraction": [float(hypergeom(N, K, i).mean() / K) for i in inp["draws"]],
    "nhypergeom_draws": [float(r + nhypergeom(N, N - K, r).mean()) for r in inp["hits"]],
}
found_at = np.zeros((inp["trials"], N))
positions = []
for t in range(inp["trials"]):
    is_top = rng.permutation(N) < K
    found_at[t] = np.cumsum(is_top)
    positions.append(np.flatnonzero(is_top) + 1)
positions = np.array(positions)
out["mc_fraction"] = [float(found_at[:, i - 1].mean() / K) for i in inp["draws"]]
out["mc_draws"] = [float(positions[:, r - 1].mean()) for r in inp["hits"]]
print(json.dumps(out))
