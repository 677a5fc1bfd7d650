"""Reference for tests/unit/materials/compositionFeatures.test.ts.

Recomputes the composition features independently: atomic fractions from pymatgen's Composition,
Magpie statistics with numpy (Ward et al., npj Comput. Mater. 2016: mean, min, max, range and
avg_dev = sum_i f_i |x_i - mean|) from the same element table (materials/data/elements.json).
stdin: {"elements_json": path, "properties": [[stem, key], ...], "formulas": [...]}
stdout: JSON list of {feature_name: value} (NaN written as null).
"""
import json
import math
import sys
import warnings

import numpy as np
from pymatgen.core import Composition

warnings.filterwarnings("ignore")
request = json.load(sys.stdin)
table = {e["symbol"]: e for e in json.load(open(request["elements_json"]))["elements"]}


def features(formula):
    comp = Composition(formula).fractional_composition.get_el_amt_dict()
    symbols = list(comp)
    f = np.array([comp[s] for s in symbols])
    row = {}
    for stem, key in request["properties"]:
        raw = [table[s][key] for s in symbols]
        mask = np.array([v is not None for v in raw])
        if not mask.any():
            for stat in ("mean", "min", "max", "range", "mad"):
                row[f"{stat}_{stem}"] = None
            continue
        x = np.array([v for v in raw if v is not None], dtype=float)
        w = f[mask] / f[mask].sum()
        mean = float(np.dot(w, x))
        row[f"mean_{stem}"] = mean
        row[f"min_{stem}"] = float(x.min())
        row[f"max_{stem}"] = float(x.max())
        row[f"range_{stem}"] = float(x.max() - x.min())
        row[f"mad_{stem}"] = float(np.dot(w, np.abs(x - mean)))
    for s in ["Li", "O", "S", "Se", "N", "P", "F", "Cl", "Br", "I"]:
        row[f"{s.lower()}_fraction"] = comp.get(s, 0.0)
    row["halogen_fraction"] = sum(comp.get(s, 0.0) for s in ["F", "Cl", "Br", "I"])
    row["num_elements"] = len(symbols)
    for p in (2, 3, 5, 7, 10):
        row[f"l{p}_norm_fractions"] = float(np.linalg.norm(f, ord=p))
    return row


json.dump([features(formula) for formula in request["formulas"]], sys.stdout)
