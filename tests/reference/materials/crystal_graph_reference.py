"""Reference for tests/unit/materials/crystalGraph.test.ts: CGCNN's own graph construction
(cgcnn/data.py, CIFData.__getitem__ with radius=8, max_num_nbr=12, GaussianDistance(dmin=0,
dmax=8, step=0.2)) on pymatgen's CifParser structure.

stdin: JSON list of CIF paths. stdout: per file {frac, nbr_idx, nbr_dist, gaussian} with
nbr_idx/nbr_dist of shape [n, 12] and gaussian [n, 12, 41] for the first 4 atoms only (size).
"""
import json
import sys
import warnings

import numpy as np
from pymatgen.io.cif import CifParser

warnings.filterwarnings("ignore")
RADIUS, MAX_NBR, STEP = 8.0, 12, 0.2
FILTER = np.arange(0.0, RADIUS + STEP, STEP)

out = []
for path in json.load(sys.stdin):
    crystal = CifParser(path).parse_structures(primitive=False)[0]
    all_nbrs = crystal.get_all_neighbors(RADIUS, include_index=True)
    all_nbrs = [sorted(nbrs, key=lambda x: x[1]) for nbrs in all_nbrs]
    nbr_idx, nbr_dist = [], []
    for nbr in all_nbrs:
        if len(nbr) < MAX_NBR:
            nbr_idx.append([int(x[2]) for x in nbr] + [0] * (MAX_NBR - len(nbr)))
            nbr_dist.append([x[1] for x in nbr] + [RADIUS + 1.0] * (MAX_NBR - len(nbr)))
        else:
            nbr_idx.append([int(x[2]) for x in nbr[:MAX_NBR]])
            nbr_dist.append([x[1] for x in nbr[:MAX_NBR]])
    nbr_dist = np.array(nbr_dist)
    gaussian = np.exp(-((nbr_dist[..., np.newaxis] - FILTER) ** 2) / STEP**2)
    out.append(
        {
            "frac": crystal.frac_coords.tolist(),
            "nbr_idx": nbr_idx,
            "nbr_dist": nbr_dist.tolist(),
            "gaussian": gaussian[:4].tolist(),
            "num_centers": len(FILTER),
        }
    )
json.dump(out, sys.stdout)
