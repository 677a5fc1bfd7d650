/**
 * Crystallographic symmetry operations in fractional coordinates, x' = R·x + t, written in CIF's
 * Jones-faithful notation ("-x+1/2, y, z-y+1/6").
 */
import type { Matrix3, Vec3 } from './lattice';

export interface SymmetryOperation {
  /** Rows act on (x, y, z): x'_i = Σ_j rotation[i][j]·x_j + translation[i]. */
  readonly rotation: Readonly<Matrix3>;
  readonly translation: Readonly<Vec3>;
}

export const IDENTITY: SymmetryOperation = Object.freeze({
  rotation: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ] as Matrix3,
  translation: [0, 0, 0] as Vec3,
});

const TERM = /([+-]?)(\d+(?:\.\d*)?|\.\d+)?(?:\/(\d+(?:\.\d*)?))?(\*?)([xyz]?)/y;

/** Parses "x, y, z"-style operations (case-insensitive, spaces ignored); throws naming the string. */
export function parseSymmetryOperation(xyz: string): SymmetryOperation {
  const components = xyz.replace(/\s+/g, '').toLowerCase().split(',');
  if (components.length !== 3) throw new Error(`Invalid symmetry operation "${xyz}": expected 3 components`);
  const rotation: Matrix3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const translation: Vec3 = [0, 0, 0];
  components.forEach((component, row) => {
    if (component === '') throw new Error(`Invalid symmetry operation "${xyz}": empty component ${row + 1}`);
    let pos = 0;
    while (pos < component.length) {
      TERM.lastIndex = pos;
      const m = TERM.exec(component);
      if (m === null || m[0] === '' || (m[2] === undefined && m[5] === '') || (m[4] === '*' && m[5] === '')) {
        throw new Error(`Invalid symmetry operation "${xyz}": cannot read "${component.slice(pos)}"`);
      }
      const sign = m[1] === '-' ? -1 : 1;
      const magnitude = m[2] === undefined ? 1 : Number(m[2]) / (m[3] === undefined ? 1 : Number(m[3]));
      if (m[5] === '') translation[row] += sign * magnitude;
      else rotation[row]['xyz'.indexOf(m[5])] += sign * magnitude;
      pos = TERM.lastIndex;
    }
  });
  return { rotation, translation };
}

/** Applies the operation to fractional coordinates (no wrapping). */
export function applySymmetryOperation(op: SymmetryOperation, f: Readonly<Vec3>): Vec3 {
  const r = op.rotation;
  const t = op.translation;
  return [
    r[0][0] * f[0] + r[0][1] * f[1] + r[0][2] * f[2] + t[0],
    r[1][0] * f[0] + r[1][1] * f[1] + r[1][2] * f[2] + t[1],
    r[2][0] * f[0] + r[2][1] * f[1] + r[2][2] * f[2] + t[2],
  ];
}
