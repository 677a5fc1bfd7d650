"""Reference for tests/unit/materials/spaceGroup.test.ts: spglib through pymatgen's
SpacegroupAnalyzer(structure, symprec=0.01) on CifParser(path).parse_structures(primitive=False)[0].

stdin: JSON list of CIF paths. stdout: JSON list of {number, symbol} or {error}.
"""
import json
import sys
import warnings

from pymatgen.io.cif import CifParser
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

warnings.filterwarnings("ignore")
out = []
for path in json.load(sys.stdin):
    try:
        s = CifParser(path).parse_structures(primitive=False)[0]
        sga = SpacegroupAnalyzer(s, symprec=0.01)
        out.append({"number": sga.get_space_group_number(), "symbol": sga.get_space_group_symbol()})
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
json.dump(out, sys.stdout)
