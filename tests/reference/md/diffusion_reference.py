"""pymatgen DiffusionAnalyzer on a trajectory given as JSON (stdin) -> JSON (stdout).

Input: {"lattice": 3x3 rows (Å), "species": [...], "frac_frames": [[[x,y,z], ...], ...],
        "temperature_K", "time_step_fs", "step_skip"}
Output: D (cm²/s), its std dev, σ (mS/cm in pymatgen), the conversion factor, and pymatgen's
Nernst–Einstein factor for the 20 Li / 958 Å³ / 300 K test vector.
"""
import json
import sys

import numpy as np
from pymatgen.analysis.diffusion.analyzer import DiffusionAnalyzer, get_conversion_factor
from pymatgen.core import Lattice, Structure

inp = json.load(sys.stdin)
lattice = Lattice(inp["lattice"])
structures = [Structure(lattice, inp["species"], f, coords_are_cartesian=False) for f in inp["frac_frames"]]
da = DiffusionAnalyzer.from_structures(
    structures,
    "Li",
    inp["temperature_K"],
    inp["time_step_fs"],
    inp["step_skip"],
    smoothed="max",
)
# Independent weighted-least-squares standard error of the slope (weights 1/dt, as pymatgen
# fits): s² (XᵀWX)⁻¹ with s² = Σ w r² / (n − 2). pymatgen's own diffusivity_std_dev puts the
# weighted residuals into the unweighted formula, so it scales with the time unit (reported too).
X = np.column_stack([da.dt, np.ones_like(da.dt)])
W = 1 / da.dt
coef, *_ = np.linalg.lstsq(X * np.sqrt(W)[:, None], da.msd * np.sqrt(W), rcond=None)
r = da.msd - X @ coef
s2 = np.sum(W * r**2) / (len(r) - 2)
cov = s2 * np.linalg.inv(X.T @ (X * W[:, None]))
wls_stderr = float(np.sqrt(cov[0, 0]) / 60)
cube = Lattice.cubic(958 ** (1 / 3))
li20 = Structure(cube, ["Li"] * 20, np.random.default_rng(0).random((20, 3)))
json.dump(
    {
        "diffusivity_cm2_per_s": da.diffusivity,
        "diffusivity_std_dev_cm2_per_s": da.diffusivity_std_dev,
        "wls_stderr_cm2_per_s": wls_stderr,
        "conductivity_mS_per_cm": da.conductivity,
        "dt_fs": list(map(float, da.dt)),
        "msd_A2": list(map(float, da.msd)),
        "test_vector_mS_per_cm": 1e-7 * get_conversion_factor(li20, "Li", 300),
    },
    sys.stdout,
)
