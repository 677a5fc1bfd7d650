"""BoTorch reference for Crucible's retrospective discovery benchmark.

One simulated campaign over a discrete labelled pool, BoTorch's standard recipe:
SingleTaskGP (BoTorch's defaults: inputs normalized to the unit cube by the pool's bounds,
standardized outcomes, the dimension-scaled length-scale prior of Hvarfner et al. 2024),
fit_gpytorch_mll, then qLogExpectedImprovement (Ament et al. 2023) maximized over the
unmeasured pool with optimize_acqf_discrete (sequential greedy over the batch).

stdin JSON: {X, y, seed_indices, q, budget, noise_std, seed}; y is oriented so larger is better.
stdout JSON: {order: [pool indices in measurement order, seeds first], versions}.
"""
import json
import sys
import warnings

import numpy as np
import torch

import botorch
from botorch.acquisition.logei import qLogExpectedImprovement
from botorch.fit import fit_gpytorch_mll
from botorch.models import SingleTaskGP
from botorch.models.transforms import Normalize, Standardize
from botorch.optim import optimize_acqf_discrete
from gpytorch.mlls import ExactMarginalLogLikelihood

warnings.simplefilter("ignore")  # numerical warnings from fitting would clutter the JSON pipe
torch.set_num_threads(1)

inp = json.load(sys.stdin)
X = torch.tensor(inp["X"], dtype=torch.float64)
y = np.asarray(inp["y"], dtype=float)
n, d = X.shape
q = int(inp["q"])
budget = min(int(inp["budget"]), n)
seed = int(inp["seed"])
noise_std = float(inp.get("noise_std", 0.0))
torch.manual_seed(seed)
lab = np.random.default_rng(seed)

# The pool is known up front, so its bounds are the natural unit cube (constant columns: width 1).
lo = X.min(dim=0).values
hi = X.max(dim=0).values
hi = torch.where(hi - lo > 1e-12, hi, lo + 1.0)
bounds = torch.stack([lo, hi])


def measure(i):
    return y[i] + (noise_std * lab.standard_normal() if noise_std > 0 else 0.0)


order = [int(i) for i in inp["seed_indices"]]
observed = [measure(i) for i in order]
while len(order) < budget:
    measured = set(order)
    remaining = [i for i in range(n) if i not in measured]
    batch = min(q, budget - len(order))
    train_X = X[order]
    train_Y = torch.tensor(observed, dtype=torch.float64).unsqueeze(-1)
    model = SingleTaskGP(
        train_X,
        train_Y,
        input_transform=Normalize(d=d, bounds=bounds),
        outcome_transform=Standardize(m=1),
    )
    try:
        fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    except Exception as err:  # keep the campaign going with the prior-initialized model, as BoTorch users do
        print(f"fit failed at {len(order)} experiments: {err}", file=sys.stderr)
    acq = qLogExpectedImprovement(model=model, best_f=train_Y.max())
    choices = X[remaining]
    with torch.no_grad():
        cand, _ = optimize_acqf_discrete(acq, q=batch, choices=choices, unique=True)
    # Map picked rows back to pool indices; identical feature rows go to the first unmeasured one.
    taken = set()
    for row in cand:
        match = torch.nonzero(torch.all(choices == row, dim=-1)).flatten().tolist()
        k = next(k for k in match if k not in taken)
        taken.add(k)
        order.append(remaining[k])
        observed.append(measure(remaining[k]))

print(json.dumps({"order": order, "versions": {"botorch": botorch.__version__, "torch": torch.__version__}}))
