/**
 * The element symbols Z = 1..103, so spec validation can name an unknown symbol without schemas/
 * importing materials/ (dependencies point the other way). tests/unit/schemas/outcomes.test.ts
 * checks this list against materials/data/elements.json, so the two cannot drift apart.
 */
export const ELEMENT_SYMBOLS: readonly string[] = Object.freeze(
  (
    'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br ' +
    'Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er ' +
    'Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr'
  ).split(' '),
);

const SYMBOLS = new Set(ELEMENT_SYMBOLS);
export const isElementSymbolName = (s: string): boolean => SYMBOLS.has(s);
