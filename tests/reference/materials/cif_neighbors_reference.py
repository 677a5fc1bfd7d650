"""Reference for tests/unit/materials/neighbors.test.ts: pymatgen neighbour lists of CIF structures.

stdin: {"jobs": [{"path": cif, "cutoff": r, "all_neighbors": bool}], "out_dir": dir}
For each job, parses the CIF with CifParser(path).parse_structures(primitive=False)[0] and lists
every neighbour within r. With all_neighbors=true it calls Structure.get_all_neighbors(r) itself;
otherwise Structure.get_neighbor_list(r), the array routine get_all_neighbors is built on (same
pairs, images and distances, without building a Python object per neighbour, which is slow).
Pairs go to binary files in out_dir (centers.i32, points.i32, images.i32 (3 per pair),
distances.f64), concatenated over jobs; stdout is JSON with per-job metadata and pair counts.
"""
import json
import os
import sys
import warnings

import numpy as np
from pymatgen.io.cif import CifParser

warnings.filterwarnings("ignore")
request = json.load(sys.stdin)
meta = []
centers, points, images, distances = [], [], [], []
for job in request["jobs"]:
    try:
        s = CifParser(job["path"]).parse_structures(primitive=False)[0]
    except Exception as exc:
        meta.append({"error": f"{type(exc).__name__}: {exc}", "pairs": 0})
        continue
    r = job["cutoff"]
    if job.get("all_neighbors"):
        c, p, im, d = [], [], [], []
        for i, neighbors in enumerate(s.get_all_neighbors(r)):
            for nb in neighbors:
                c.append(i)
                p.append(nb.index)
                im.append(nb.image)
                d.append(nb.nn_distance)
        c, p, im, d = np.array(c), np.array(p), np.array(im).reshape(-1, 3), np.array(d)
    else:
        c, p, im, d = s.get_neighbor_list(r)
    centers.append(np.asarray(c, dtype=np.int32))
    points.append(np.asarray(p, dtype=np.int32))
    images.append(np.rint(np.asarray(im)).astype(np.int32).reshape(-1))
    distances.append(np.asarray(d, dtype=np.float64))
    meta.append({"pairs": int(len(c)), "frac": s.frac_coords.tolist()})

out_dir = request["out_dir"]
for name, arrays, dtype in (
    ("centers.i32", centers, np.int32),
    ("points.i32", points, np.int32),
    ("images.i32", images, np.int32),
    ("distances.f64", distances, np.float64),
):
    data = np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)
    data.astype(dtype).tofile(os.path.join(out_dir, name))
json.dump(meta, sys.stdout)
