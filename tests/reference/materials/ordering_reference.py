"""Reference for tests/unit/materials/ordering.test.ts: pymatgen's OrderDisorderedStructureTransformation.

stdin: list of {lattice, frac, species: [{element: occupancy}, ...], oxidation_states: {element: state},
        supercell: [a, b, c], ranked: int}
stdout: per item {energies: Ewald energies of the `ranked` lowest orderings found (ascending),
        best_total: EwaldSummation(best ordering).total_energy, best_formula, best_num_sites}.
pymatgen needs oxidation-state-decorated species and a cell in which the occupancies are integral,
so the structure is decorated and made the given diagonal supercell first. The default algorithm
(ALGO_FAST) is EwaldMinimizer's branch and bound with a lower bound on every branch, so
energies[0] is the minimum on that supercell (pymatgen's ALGO_COMPLETE is not implemented).
"""
import json
import sys
import warnings

from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Lattice, Species, Structure
from pymatgen.transformations.standard_transformations import OrderDisorderedStructureTransformation

warnings.filterwarnings("ignore")

out = []
for item in json.load(sys.stdin):
    oxi = item["oxidation_states"]
    species = [{Species(el, oxi[el]): occ for el, occ in site.items()} for site in item["species"]]
    s = Structure(Lattice(item["lattice"]), species, item["frac"])
    s.make_supercell([[item["supercell"][0], 0, 0], [0, item["supercell"][1], 0], [0, 0, item["supercell"][2]]])
    t = OrderDisorderedStructureTransformation()
    ranked = t.apply_transformation(s, return_ranked_list=item["ranked"])
    best = ranked[0]["structure"]
    out.append(
        {
            "energies": [float(r["energy"]) for r in ranked],
            "best_total": float(EwaldSummation(best).total_energy),
            "best_formula": best.composition.formula,
            "best_num_sites": len(best),
        }
    )
json.dump(out, sys.stdout)
