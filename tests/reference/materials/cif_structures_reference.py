"""Reference for tests/unit/materials/cifReader.test.ts: pymatgen's CifParser on each CIF.

stdin: JSON list of CIF paths. stdout: JSON list, per file, of
{lattice, frac, species: [{element: occupancy}], labels} for the first structure of
CifParser(path).parse_structures(primitive=False), or {error} when pymatgen cannot read it.
"""
import json
import sys
import warnings

from pymatgen.io.cif import CifParser

warnings.filterwarnings("ignore")
out = []
for path in json.load(sys.stdin):
    try:
        structures = CifParser(path).parse_structures(primitive=False)
    except Exception as exc:  # the test logs and counts these
        out.append({"error": f"{type(exc).__name__}: {exc}"})
        continue
    s = structures[0]
    out.append(
        {
            "num_structures": len(structures),
            "lattice": s.lattice.matrix.tolist(),
            "frac": s.frac_coords.tolist(),
            "species": [{str(sp.element if hasattr(sp, "element") else sp): occ for sp, occ in site.species.items()} for site in s],
            "formula": s.composition.reduced_formula,
        }
    )
json.dump(out, sys.stdout)
