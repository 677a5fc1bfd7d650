"""Reference for tests/unit/materials/composition.test.ts: pymatgen's Composition for each formula.

stdin: JSON list of formulas. stdout: JSON list of {amounts, formula, reduced_formula, num_atoms}
or {error} when pymatgen cannot parse the formula.
"""
import json
import sys
import warnings

from pymatgen.core import Composition

warnings.filterwarnings("ignore")
out = []
for formula in json.load(sys.stdin):
    try:
        comp = Composition(formula)
    except Exception as exc:  # reported to the test, which decides what to do
        out.append({"error": f"{type(exc).__name__}: {exc}"})
        continue
    out.append(
        {
            "amounts": {str(el): amt for el, amt in comp.get_el_amt_dict().items()},
            "formula": comp.formula,
            "reduced_formula": comp.reduced_formula,
            "num_atoms": comp.num_atoms,
            "fractions": {str(el): amt for el, amt in comp.fractional_composition.get_el_amt_dict().items()},
        }
    )
json.dump(out, sys.stdout)
