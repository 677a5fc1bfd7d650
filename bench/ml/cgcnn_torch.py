"""PyTorch CPU timing for `npm run bench -- cgcnn`: Xie & Grossman's CGCNN (cgcnn/model.py,
tests/reference/ml/cgcnn_model.py, shared with the ML reference values; the original
formulation: fc_full on the concatenated [x_i, x_j, e_ij] per neighbour slot) in float32 on the
exact batch the TypeScript side times, read from raw little-endian files.

argv: DIR, where DIR/meta.json = {crystals, atoms, neighbors, atom_input, edge_input,
      atom_fea_len, n_conv, h_fea_len, reps, lr, threads (0 = torch default)} and
      DIR/{atom_fea.f32, nbr_fea.f32, nbr_idx.i32, crystal.i32, targets.f32}.
stdout: one JSON object {train_ms, forward_ms, train_cpu_ms, forward_cpu_ms, first_step_ms, train_samples_ms,
        forward_samples_ms, first_step_loss, threads, torch_version}.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


# The model definition is shared with the ML reference values (tests/reference/ml).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "reference", "ml"))
from cgcnn_model import CrystalGraphConvNet  # noqa: E402


def read(directory, name, dtype, shape):
    return torch.from_numpy(np.fromfile(os.path.join(directory, name), dtype=dtype).reshape(shape))


def main():
    directory = sys.argv[1]
    meta = json.load(open(os.path.join(directory, "meta.json")))
    if meta.get("threads", 0) > 0:
        torch.set_num_threads(meta["threads"])
    torch.manual_seed(1)
    n, m = meta["atoms"], meta["neighbors"]
    atom_fea = read(directory, "atom_fea.f32", np.float32, (n, meta["atom_input"]))
    nbr_fea = read(directory, "nbr_fea.f32", np.float32, (n, m, meta["edge_input"]))
    nbr_idx = read(directory, "nbr_idx.i32", np.int32, (n, m)).long()
    crystal = np.fromfile(os.path.join(directory, "crystal.i32"), dtype=np.int32)
    crystal_atom_idx = [torch.from_numpy(np.nonzero(crystal == c)[0]) for c in range(meta["crystals"])]
    targets = read(directory, "targets.f32", np.float32, (meta["crystals"], 1))

    model = CrystalGraphConvNet(
        meta["atom_input"], meta["edge_input"], meta["atom_fea_len"], meta["n_conv"], meta["h_fea_len"]
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=meta["lr"])
    criterion = nn.MSELoss()

    cpu_steps, cpu_forwards = [], []

    def step():
        t0, c0 = time.perf_counter(), time.process_time()
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(atom_fea, nbr_fea, nbr_idx, crystal_atom_idx), targets)
        loss.backward()
        optimizer.step()
        value = loss.item()
        cpu_steps.append((time.process_time() - c0) * 1000)
        return (time.perf_counter() - t0) * 1000, value

    def forward():
        t0, c0 = time.perf_counter(), time.process_time()
        model.eval()
        with torch.no_grad():
            model(atom_fea, nbr_fea, nbr_idx, crystal_atom_idx).sum().item()
        cpu_forwards.append((time.process_time() - c0) * 1000)
        return (time.perf_counter() - t0) * 1000

    first_ms, first_loss = step()
    forward()
    del cpu_steps[:], cpu_forwards[:]
    steps = [step()[0] for _ in range(meta["reps"])]
    forwards = [forward() for _ in range(meta["reps"])]
    json.dump(
        {
            "train_ms": float(np.median(steps)),
            "forward_ms": float(np.median(forwards)),
            # CPU time of the process (all its threads): steadier than wall time on a shared machine.
            "train_cpu_ms": float(np.median(cpu_steps)),
            "forward_cpu_ms": float(np.median(cpu_forwards)),
            "first_step_ms": first_ms,
            "first_step_loss": first_loss,
            "train_samples_ms": [round(x, 1) for x in steps],
            "forward_samples_ms": [round(x, 1) for x in forwards],
            "threads": torch.get_num_threads(),
            "torch_version": torch.__version__,
        },
        sys.stdout,
    )


main()
