"""PyTorch reference for the CGCNN variance head (tests/unit/ml/varianceHead.test.ts).

stdin: {output [[mu, raw]...], targets [...], members {means [[...]], variances [[...]]}}
stdout: {loss, grad_output [[d/dmu, d/draw]...], beta_nll {beta, loss, grad_output},
         mixture {mean [...], variance [...]}}

loss: torch.nn.GaussianNLLLoss (full=False, eps=1e-6, mean) of (mu, y, softplus(raw) + 1e-6),
with its gradient by autograd. beta_nll: the same per-crystal terms weighted by
variance.detach() ** beta (Seitzer et al., ICLR 2022, their reference formulation). mixture: the mean and variance of an equal-weight mixture of the
members' Gaussians, from torch.distributions.MixtureSameFamily.
"""
import json
import sys

import torch
import torch.nn.functional as F
from torch.distributions import Categorical, MixtureSameFamily, Normal

torch.set_default_dtype(torch.float64)

data = json.load(sys.stdin)
output = torch.tensor(data["output"], requires_grad=True)
targets = torch.tensor(data["targets"])
mu, raw = output[:, 0], output[:, 1]
variance = F.softplus(raw) + 1e-6
loss = torch.nn.GaussianNLLLoss(full=False, eps=1e-6, reduction="mean")(mu, targets, variance)
loss.backward()

BETA = 0.5
beta_output = torch.tensor(data["output"], requires_grad=True)
beta_variance = F.softplus(beta_output[:, 1]) + 1e-6
terms = 0.5 * (beta_variance.log() + (beta_output[:, 0] - targets) ** 2 / beta_variance)
beta_loss = (terms * beta_variance.detach() ** BETA).mean()
beta_loss.backward()

means = torch.tensor(data["members"]["means"]).T  # [inputs, members]
stds = torch.tensor(data["members"]["variances"]).T.sqrt()
m = means.shape[1]
mixture = MixtureSameFamily(Categorical(probs=torch.full((means.shape[0], m), 1.0 / m)), Normal(means, stds))

json.dump(
    {
        "loss": loss.item(),
        "grad_output": output.grad.tolist(),
        "beta_nll": {"beta": BETA, "loss": beta_loss.item(), "grad_output": beta_output.grad.tolist()},
        "mixture": {"mean": mixture.mean.tolist(), "variance": mixture.variance.tolist()},
    },
    sys.stdout,
)
