"""Generates materials/data/oxidation_states.json: what pymatgen's Composition.oxi_state_guesses
uses to guess oxidation states (materials/oxidationStates.ts follows the same algorithm).

Run with the reference venv (infra/install-python.sh):
    ~/.cache/crucible/venv/bin/python materials/data/generate_oxidation_states.py > materials/data/oxidation_states.json

Per element (Z = 1..103), read through pymatgen:
  * states: Element.icsd_oxidation_states, else Element.common_oxidation_states when the ICSD list
    is empty (pymatgen's default, all_oxi_states=False), in pymatgen's order (the order decides
    ties between equally scored guesses);
  * occurrence: how often each of those states occurs in the ICSD (pymatgen's icsd_bv.yaml,
    "occurrence"; from the bond-valence analysis of O'Keeffe and Brese / the ICSD), 0 when absent.
"""

import json
import sys

import pymatgen.core
from pymatgen.core import Composition, Element, Species

Composition("LiO").oxi_state_guesses()  # loads Composition.oxi_prob from icsd_bv.yaml
occurrence = Composition.oxi_prob

elements = []
for z in range(1, 104):
    el = Element.from_Z(z)
    states = list(el.icsd_oxidation_states or el.common_oxidation_states)
    elements.append(
        {
            "symbol": el.symbol,
            "states": states,
            "occurrence": [occurrence.get(Species(el.symbol, s), 0) for s in states],
        }
    )

json.dump(
    {
        "source": {
            "generator": "materials/data/generate_oxidation_states.py",
            "pymatgen_version": pymatgen.core.__version__,
            "data": "pymatgen Element.icsd_oxidation_states / common_oxidation_states and icsd_bv.yaml occurrence",
        },
        "elements": elements,
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
