"""PyTorch reference for tests/unit/ml/cgcnn.test.ts: Xie & Grossman's CGCNN (cgcnn/model.py,
in cgcnn_model.py, MIT) on fixed weights and a fixed batch.

stdin: {atom_fea [N][A], nbr_fea [N][M][E], nbr_idx [N][M], crystal_atom_idx [[...]], targets,
        config {atom_fea_len, n_conv, h_fea_len, n_h}, adam {lr, steps}}
Weights are a closed-form function of (parameter ordinal, flat index) so the test rebuilds the
same state_dict: s = sin(0.37 k + 1.1 p + 0.3); Linear: s / sqrt(fan_in); BN weight 1 + 0.2 s,
bias 0.1 s, running_mean 0.05 s, running_var 1 + 0.3 s^2.
stdout: {keys, train_output, loss, grads {name: summary}, running {name: summary}, eval_output,
         adam_losses}; a summary is {norm, sum, sample (16 strided entries)}.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)  # the reference in float64: differences are ours

from cgcnn_model import CrystalGraphConvNet  # noqa: E402


def fixed_weights(model):
    keys, state = [], model.state_dict()
    names = [k for k in state if not k.endswith("num_batches_tracked")]
    for p, name in enumerate(names):
        t = state[name]
        k = np.arange(t.numel(), dtype=np.float64)
        s = np.sin(0.37 * k + 1.1 * p + 0.3)
        fan_in = 0
        if ".bn" in name:
            if name.endswith(".weight"):
                v = 1 + 0.2 * s
            elif name.endswith(".bias"):
                v = 0.1 * s
            elif name.endswith("running_mean"):
                v = 0.05 * s
            else:
                v = 1 + 0.3 * s * s
        else:
            fan_in = state[name.rsplit(".", 1)[0] + ".weight"].shape[1]
            v = s / math.sqrt(fan_in)
        # float32 first: the TypeScript side holds float32 weights.
        t.copy_(torch.from_numpy(v.astype(np.float32).astype(np.float64)).view(t.shape))
        keys.append({"name": name, "shape": list(t.shape), "fan_in": fan_in})
    return keys


def summary(t):
    flat = t.detach().reshape(-1)
    stride = max(1, flat.numel() // 16)
    return {
        "norm": float(flat.norm()),
        "sum": float(flat.sum()),
        "sample": flat[::stride][:16].tolist(),
        "stride": stride,
    }


inp = json.load(sys.stdin)
cfg = inp["config"]
atom_fea = torch.tensor(inp["atom_fea"], dtype=torch.float64)
nbr_fea = torch.tensor(inp["nbr_fea"], dtype=torch.float64)
nbr_idx = torch.tensor(inp["nbr_idx"], dtype=torch.long)
crystal_atom_idx = [torch.tensor(c, dtype=torch.long) for c in inp["crystal_atom_idx"]]
targets = torch.tensor(inp["targets"], dtype=torch.float64).view(-1, 1)

model = CrystalGraphConvNet(
    atom_fea.shape[1], nbr_fea.shape[2], cfg["atom_fea_len"], cfg["n_conv"], cfg["h_fea_len"], cfg["n_h"]
)
with torch.no_grad():
    keys = fixed_weights(model)
initial = {k: v.clone() for k, v in model.state_dict().items()}

model.eval()
with torch.no_grad():
    eval_output = model(atom_fea, nbr_fea, nbr_idx, crystal_atom_idx)

model.train()
criterion = nn.MSELoss()
output = model(atom_fea, nbr_fea, nbr_idx, crystal_atom_idx)
loss = criterion(output, targets)
loss.backward()
grads = {n: summary(p.grad) for n, p in model.named_parameters()}
running = {n: summary(t) for n, t in model.state_dict().items() if "running" in n}

# A few Adam steps from the same start (CGCNN's main.py --optim Adam, weight_decay 0).
model.load_state_dict(initial)
optimizer = torch.optim.Adam(model.parameters(), lr=inp["adam"]["lr"], eps=inp["adam"]["eps"])
adam_losses = []
for _ in range(inp["adam"]["steps"]):
    optimizer.zero_grad()
    step_loss = criterion(model(atom_fea, nbr_fea, nbr_idx, crystal_atom_idx), targets)
    step_loss.backward()
    optimizer.step()
    adam_losses.append(float(step_loss))

json.dump(
    {
        "keys": keys,
        "train_output": output.detach().reshape(-1).tolist(),
        "loss": float(loss),
        "grads": grads,
        "running": running,
        "eval_output": eval_output.detach().reshape(-1).tolist(),
        "adam_losses": adam_losses,
        "torch_version": torch.__version__,
    },
    sys.stdout,
)
