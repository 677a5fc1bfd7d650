"""Generates materials/data/elements.json, Crucible's element property table (Z = 1..103).

Run with the reference venv (infra/install-python.sh):
    ~/.cache/crucible/venv/bin/python materials/data/generate_elements.py > materials/data/elements.json

Sources (all read through pymatgen, so the table follows a maintained, versioned package):
  * pymatgen.core.periodic_table.Element (pymatgen's periodic_table.json, which compiles
    WebElements, CRC Handbook and NIST data): atomic mass, group, row (period), block,
    Pauling electronegativity X, empirical atomic radius (Slater 1964), calculated atomic
    radius (Clementi et al. 1967), ionisation energies (NIST ASD), electron affinity,
    molar volume, melting point, Mendeleev number (Pettifor 1984), electronic structure.
  * Covalent radii: Cordero et al., "Covalent radii revisited", Dalton Trans. 2008, 2832-2838,
    doi:10.1039/b801115j, as tabulated in pymatgen.analysis.molecule_structure_comparator.CovalentRadius.
Missing values are written as null, never filled in.
"""

import json
import math
import re
import sys
import warnings

import pymatgen.core
from pymatgen.analysis.molecule_structure_comparator import CovalentRadius
from pymatgen.core.periodic_table import Element

warnings.filterwarnings("ignore")  # pymatgen warns for every missing property; we record null


def number_or_null(value):
    """Float for a finite number (pymatgen FloatWithUnit included), else None."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None  # e.g. pymatgen's "no data" strings
    return x if math.isfinite(x) else None


def valence_electrons(electronic_structure, block):
    """Valence electrons by the group-counting convention, from the electronic structure.

    Electrons outside the noble-gas core, except that filled subshells which behave as core
    are dropped: f14 for s-, p- and d-block elements, and (n-1)d10 for p-block elements.
    So s block = group (1-2), d block = group (3-12, e.g. Zn 12, Au 11), p block = group - 10
    (Ga 3, Pb 4, He 2); f-block elements keep every electron outside the core (La 3, Yb 16). Blocks are pymatgen's.
    """
    total = 0
    for token in electronic_structure.split("."):
        if token.startswith("["):
            continue
        m = re.fullmatch(r"(\d+)([spdfg])(\d+)", token)
        if m is None:
            raise ValueError(f"unexpected orbital token {token!r} in {electronic_structure!r}")
        kind, count = m.group(2), int(m.group(3))
        if block in ("s", "p", "d") and kind == "f" and count == 14:
            continue
        if block == "p" and kind == "d" and count == 10:
            continue
        total += count
    return total


def safe(fn):
    try:
        return fn()
    except Exception:  # pymatgen raises for some properties of heavy elements
        return None


def element_record(z):
    el = Element.from_Z(z)
    ionisation = safe(lambda: el.ionization_energies) or []
    structure = safe(lambda: el.electronic_structure)
    return {
        "z": z,
        "symbol": el.symbol,
        "name": el.long_name,
        "atomic_mass_u": number_or_null(el.atomic_mass),
        "group": safe(lambda: el.group),
        "period": safe(lambda: el.row),
        "block": safe(lambda: el.block),
        "electronegativity_pauling": number_or_null(safe(lambda: el.X)),
        "atomic_radius_A": number_or_null(safe(lambda: el.atomic_radius)),
        "atomic_radius_calculated_A": number_or_null(safe(lambda: el.atomic_radius_calculated)),
        "covalent_radius_A": number_or_null(CovalentRadius.radius.get(el.symbol)),
        "first_ionization_energy_eV": number_or_null(ionisation[0]) if ionisation else None,
        "electron_affinity_eV": number_or_null(safe(lambda: el.electron_affinity)),
        "molar_volume_cm3_per_mol": number_or_null(el.data.get("Molar volume")),
        "valence_electrons": valence_electrons(structure, safe(lambda: el.block)) if structure else None,
        "melting_point_K": number_or_null(el.data.get("Melting point")),
        "mendeleev_number": number_or_null(safe(lambda: el.mendeleev_no)),
    }


def main():
    table = {
        "source": {
            "generator": "materials/data/generate_elements.py",
            "pymatgen_version": pymatgen.core.__version__,
            "covalent_radii": "Cordero et al., Dalton Trans. 2008, 2832-2838, doi:10.1039/b801115j (via pymatgen CovalentRadius)",
        },
        "elements": [element_record(z) for z in range(1, 104)],
    }
    json.dump(table, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
