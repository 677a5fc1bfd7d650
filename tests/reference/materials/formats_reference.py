"""Reference for tests/unit/materials/formats.test.ts.

stdin: list of {path, cif, dict, poscar} where cif/dict/poscar are OUR writers' output for the
structure we read from `path` (poscar null for disordered structures).
stdout: per item:
  pymatgen: pymatgen's own structure from CifParser(path) as as_dict(), Poscar text (ordered
            only) and OPTIMADE entry (ordered only, OptimadeStructureAdapter)
  from_our_cif / from_our_dict / from_our_poscar: how pymatgen reads our outputs
            ({lattice, frac, species}) or {error}.
"""
import json
import sys
import warnings

from pymatgen.core import Structure
from pymatgen.io.cif import CifParser
from pymatgen.io.optimade import OptimadeStructureAdapter
from pymatgen.io.vasp import Poscar

warnings.filterwarnings("ignore")


def summary(s):
    return {
        "lattice": s.lattice.matrix.tolist(),
        "frac": s.frac_coords.tolist(),
        "species": [{str(getattr(sp, "element", sp)): occ for sp, occ in site.species.items()} for site in s],
    }


def attempt(fn):
    try:
        return summary(fn())
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


out = []
for item in json.load(sys.stdin):
    s = CifParser(item["path"]).parse_structures(primitive=False)[0]
    ref = {"as_dict": s.as_dict()}
    if s.is_ordered:
        ref["poscar"] = Poscar(s).get_str(significant_figures=16)
        ref["optimade"] = OptimadeStructureAdapter.get_optimade_structure(s)
        ref["optimade"]["attributes"]["last_modified"] = None
    result = {
        "pymatgen": ref,
        "from_our_cif": attempt(lambda: CifParser.from_str(item["cif"]).parse_structures(primitive=False)[0]),
        "from_our_dict": attempt(lambda: Structure.from_dict(item["dict"])),
    }
    if item["poscar"] is not None:
        result["from_our_poscar"] = attempt(lambda: Poscar.from_str(item["poscar"]).structure)
    out.append(result)
json.dump(out, sys.stdout, default=str)
