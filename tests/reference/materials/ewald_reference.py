"""Reference for tests/unit/materials/ewald.test.ts and ordering.test.ts: pymatgen's Ewald sum.

stdin: list of {lattice: 3x3 rows (Å), frac: [[x, y, z], ...], species: [{element: occupancy}, ...],
        oxidation_states: {element: state}, matrix: bool}
stdout: per item {total, real, reciprocal, point, eta, matrix?} from
        pymatgen.analysis.ewald.EwaldSummation(structure) (default acc_factor 12), the structure's
        species decorated with the given oxidation states; `matrix` is total_energy_matrix.
"""
import json
import sys
import warnings

from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Lattice, Species, Structure

warnings.filterwarnings("ignore")


def decorated(item):
    oxi = item["oxidation_states"]
    species = [{Species(el, oxi[el]): occ for el, occ in site.items()} for site in item["species"]]
    return Structure(Lattice(item["lattice"]), species, item["frac"])


out = []
for item in json.load(sys.stdin):
    ewald = EwaldSummation(decorated(item))
    row = {
        "total": float(ewald.total_energy),
        "real": float(ewald.real_space_energy),
        "reciprocal": float(ewald.reciprocal_space_energy),
        "point": float(ewald.point_energy),
        "eta": float(ewald.eta),
    }
    if item.get("matrix"):
        row["matrix"] = ewald.total_energy_matrix.tolist()
    out.append(row)
json.dump(out, sys.stdout)
