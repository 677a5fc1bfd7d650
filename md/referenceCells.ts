/** Small, well-known Li conductors used by the MD tests and benchmark as inputs to the engine. */

/** Li2O (antifluorite, a = 4.61 Å), conventional cell: 8 Li + 4 O. */
export const LI2O_EXTXYZ = (() => {
  const a = 4.61;
  const fcc = [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];
  const li = [0.25, 0.75].flatMap((x) => [0.25, 0.75].flatMap((y) => [0.25, 0.75].map((z) => [x, y, z])));
  const lines = [
    ...fcc.map((f) => `O ${f.map((v) => (v * a).toFixed(4)).join(' ')}`),
    ...li.map((f) => `Li ${f.map((v) => (v * a).toFixed(4)).join(' ')}`),
  ];
  return `12\nLattice="${a} 0 0 0 ${a} 0 0 0 ${a}" Properties=species:S:1:pos:R:3 pbc="T T T"\n${lines.join('\n')}\n`;
})();

/** The same Li2O cell as a pymatgen Structure.as_dict() (what the structures store holds). */
export const LI2O_PYMATGEN = (() => {
  const a = 4.61;
  const lines = LI2O_EXTXYZ.trim().split('\n').slice(2);
  return {
    '@module': 'pymatgen.core.structure',
    '@class': 'Structure',
    charge: 0,
    lattice: {
      matrix: [
        [a, 0, 0],
        [0, a, 0],
        [0, 0, a],
      ],
    },
    sites: lines.map((l) => {
      const [element, ...xyz] = l.trim().split(/\s+/);
      return {
        species: [{ element, occu: 1 }],
        abc: xyz.map((v) => Number(v) / a),
        label: element,
        properties: {},
      };
    }),
  };
})();
