/**
 * Crystal lattice: three lattice vectors as the rows of a 3x3 matrix (Å), as in pymatgen,
 * so Cartesian = fractional · matrix.
 */

export type Vec3 = [number, number, number];
export type Matrix3 = [Vec3, Vec3, Vec3];

const DEG = Math.PI / 180;

export function dot(u: Readonly<Vec3>, v: Readonly<Vec3>): number {
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

export function cross(u: Readonly<Vec3>, v: Readonly<Vec3>): Vec3 {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}

export function norm(u: Readonly<Vec3>): number {
  return Math.sqrt(dot(u, u));
}

export class Lattice {
  readonly matrix: Readonly<Matrix3>;
  /** Inverse of `matrix`: fractional = Cartesian · inverse. */
  readonly inverse: Readonly<Matrix3>;

  constructor(matrix: ReadonlyArray<ReadonlyArray<number>>) {
    if (
      matrix.length !== 3 ||
      matrix.some((row) => row.length !== 3 || row.some((x) => !Number.isFinite(x)))
    ) {
      throw new Error(`Lattice: matrix must be 3x3 finite numbers, got ${JSON.stringify(matrix)}`);
    }
    const m = matrix.map((row) => [row[0], row[1], row[2]] as Vec3) as Matrix3;
    const det = dot(m[0], cross(m[1], m[2]));
    // A (near-)degenerate cell would make fractional coordinates meaningless.
    if (!(Math.abs(det) > 1e-8)) throw new Error(`Lattice: matrix is singular (determinant ${det})`);
    const bc = cross(m[1], m[2]);
    const ca = cross(m[2], m[0]);
    const ab = cross(m[0], m[1]);
    this.matrix = Object.freeze(m);
    // inverse = adjugate / det; its columns are the cross products.
    this.inverse = Object.freeze([
      [bc[0] / det, ca[0] / det, ab[0] / det],
      [bc[1] / det, ca[1] / det, ab[1] / det],
      [bc[2] / det, ca[2] / det, ab[2] / det],
    ] as Matrix3);
  }

  /**
   * Lattice from lengths (Å) and angles (degrees), oriented exactly as pymatgen's
   * Lattice.from_parameters (vesta=False): c along z, a in the xz plane.
   */
  static fromParameters(
    a: number,
    b: number,
    c: number,
    alpha: number,
    beta: number,
    gamma: number,
  ): Lattice {
    const params = { a, b, c, alpha, beta, gamma };
    for (const [name, value] of Object.entries(params)) {
      if (!Number.isFinite(value) || value <= 0)
        throw new Error(`Lattice: parameter ${name} must be > 0, got ${value}`);
    }
    const [cosAlpha, cosBeta, cosGamma] = [
      Math.cos(alpha * DEG),
      Math.cos(beta * DEG),
      Math.cos(gamma * DEG),
    ];
    const [sinAlpha, sinBeta] = [Math.sin(alpha * DEG), Math.sin(beta * DEG)];
    // Clip: rounding can push the cosine of gamma* just outside [-1, 1].
    const val = Math.min(1, Math.max(-1, (cosAlpha * cosBeta - cosGamma) / (sinAlpha * sinBeta)));
    const gammaStar = Math.acos(val);
    return new Lattice([
      [a * sinBeta, 0, a * cosBeta],
      [-b * sinAlpha * Math.cos(gammaStar), b * sinAlpha * Math.sin(gammaStar), b * cosAlpha],
      [0, 0, c],
    ]);
  }

  /** Lengths a, b, c (Å). */
  get abc(): Vec3 {
    return [norm(this.matrix[0]), norm(this.matrix[1]), norm(this.matrix[2])];
  }

  /** Angles alpha (b∠c), beta (a∠c), gamma (a∠b) in degrees. */
  get angles(): Vec3 {
    const [a, b, c] = this.matrix;
    const angle = (u: Vec3, v: Vec3): number => {
      const cos = dot(u, v) / (norm(u) * norm(v));
      return Math.acos(Math.min(1, Math.max(-1, cos))) / DEG;
    };
    return [angle(b, c), angle(a, c), angle(a, b)];
  }

  /** Cell volume (Å³, positive). */
  get volume(): number {
    return Math.abs(dot(this.matrix[0], cross(this.matrix[1], this.matrix[2])));
  }

  /** Distances between opposite faces of the cell (Å), i.e. d(100), d(010), d(001). */
  get perpendicularWidths(): Vec3 {
    const [a, b, c] = this.matrix;
    const v = this.volume;
    return [v / norm(cross(b, c)), v / norm(cross(c, a)), v / norm(cross(a, b))];
  }

  fracToCart(f: Readonly<Vec3>): Vec3 {
    const m = this.matrix;
    return [
      f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0],
      f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1],
      f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2],
    ];
  }

  cartToFrac(x: Readonly<Vec3>): Vec3 {
    const m = this.inverse;
    return [
      x[0] * m[0][0] + x[1] * m[1][0] + x[2] * m[2][0],
      x[0] * m[0][1] + x[1] * m[1][1] + x[2] * m[2][1],
      x[0] * m[0][2] + x[1] * m[1][2] + x[2] * m[2][2],
    ];
  }
}
