import * as fs from 'node:fs';
import * as path from 'node:path';
import { ELEMENTS, getElement, getElementByZ, isElementSymbol } from '../../../materials/elements';
import table from '../../../materials/data/elements.json';
import { runPython } from '../../helpers/python';

const GENERATOR = path.resolve(__dirname, '../../../materials/data/generate_elements.py');

describe('element table', () => {
  it('is exactly what the generator produces from the installed pymatgen', () => {
    // Catches hand edits and drift between the committed JSON and its maintained source.
    const fresh = runPython<typeof table>(fs.readFileSync(GENERATOR, 'utf8'));
    expect(fresh.elements).toEqual(table.elements);
  });

  it('covers Z = 1..103 in order', () => {
    expect(ELEMENTS).toHaveLength(103);
    ELEMENTS.forEach((e, i) => expect(e.z).toBe(i + 1));
    expect(getElementByZ(3).symbol).toBe('Li');
    expect(getElementByZ(103).symbol).toBe('Lr');
  });

  it('agrees with published values', () => {
    const li = getElement('Li');
    expect(li.covalent_radius_A).toBe(1.28); // Cordero et al., Dalton Trans. 2008, Table 2
    expect(li.first_ionization_energy_eV).toBeCloseTo(5.391715, 5); // NIST ASD, 5.391 714 996 eV
    expect(getElement('O').electronegativity_pauling).toBe(3.44); // Pauling scale (Allred 1961)
    expect(getElement('Cl').atomic_mass_u).toBeCloseTo(35.453, 3); // IUPAC standard atomic weight
    expect(getElement('La').period).toBe(6);
    expect(getElement('Zn').valence_electrons).toBe(12);
    expect(getElement('Ga').valence_electrons).toBe(3);
    expect(getElement('Pb').valence_electrons).toBe(4);
  });

  it('records missing data as null rather than inventing it', () => {
    expect(getElement('He').electronegativity_pauling).toBeNull();
    expect(getElement('Lr').covalent_radius_A).toBeNull();
  });

  it('rejects unknown symbols by name', () => {
    expect(() => getElement('Xx')).toThrow('Unknown element "Xx"');
    expect(() => getElement('li')).toThrow('Unknown element "li"');
    expect(isElementSymbol('Li')).toBe(true);
    expect(() => getElementByZ(0)).toThrow('Unknown atomic number 0');
  });
});
