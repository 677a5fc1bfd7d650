/**
 * Ewald summation: electrostatic energy (eV) of a periodic array of point charges, following
 * pymatgen's EwaldSummation (Toukmaji & Board, Comput. Phys. Commun. 95, 73 (1996),
 * doi:10.1016/0010-4655(96)00016-1) term for term, so energies agree with it:
 *   E = E_real + E_reciprocal + E_point (+ a uniform-background term when the cell is charged),
 * with the screening parameter and both cutoffs chosen as pymatgen does from the accuracy factor
 * (GULP's rule: each sum converged to ~10^-acc significant figures).
 *
 * Energy is a quadratic form in the charges, E = qᵀ A q (+ background), so `ewaldMatrix` returns
 * the unit-charge matrix A of a set of positions once; orderings then cost qᵀAq, and swapping
 * two sites' charges costs O(n) (pymatgen's total_energy_matrix is A_ij q_i q_j).
 */
import erfc = require('@stdlib/math-base-special-erfc');
import { Lattice, type Vec3, cross, dot, norm } from './lattice';
import type { Structure } from './structure';

/** e² / (4π ε0) in eV·Å (CODATA 2018 e and ε0; pymatgen's CONV_FACT, 14.399645468667815). */
export const COULOMB_EV_A = (1e10 * 1.602176634e-19) / (4 * Math.PI * 8.8541878188e-12);

export interface EwaldOptions {
  /** Significant figures each sum is converged to (pymatgen's acc_factor, default 12). */
  accuracy?: number;
  /** Screening parameter η (Å⁻²); default pymatgen's (n·w/V²)^(1/3)·π. */
  eta?: number;
  /** Real-space cutoff (Å); default sqrt(ln 10^acc)/sqrt(η). */
  realSpaceCutoff?: number;
  /** Reciprocal-space cutoff (Å⁻¹); default 2·sqrt(η)·sqrt(ln 10^acc). */
  reciprocalCutoff?: number;
  /** Relative cost of a real vs reciprocal term, used only for the default η (pymatgen: 1/√2). */
  weight?: number;
}

/** Unit-charge interaction matrix of a set of positions in a cell. */
export interface EwaldMatrix {
  readonly n: number;
  /** Row-major n×n, symmetric: E = Σ_ij q_i q_j A_ij (eV, charges in e); point term on the diagonal. */
  readonly a: Float64Array;
  readonly eta: number;
  readonly volume: number;
  readonly realSpaceCutoff: number;
  readonly reciprocalCutoff: number;
}

export interface EwaldEnergy {
  total_eV: number;
  real_eV: number;
  reciprocal_eV: number;
  point_eV: number;
  /** Neutralizing-background term, −(π/2Vη)·Q²·e²/(4πε0); 0 for a neutral cell. */
  charged_cell_eV: number;
  eta: number;
}

interface Parameters {
  eta: number;
  rmax: number;
  gmax: number;
}

function parameters(n: number, volume: number, options: EwaldOptions): Parameters {
  const accuracy = options.accuracy ?? 12;
  if (!(accuracy > 0)) throw new Error(`Ewald: accuracy must be > 0, got ${accuracy}`);
  const w = options.weight ?? 1 / Math.SQRT2;
  const eta = options.eta ?? Math.cbrt((n * w) / (volume * volume)) * Math.PI;
  if (!(eta > 0)) throw new Error(`Ewald: eta must be > 0, got ${eta}`);
  const accf = Math.sqrt(Math.log(10 ** accuracy));
  return {
    eta,
    rmax: options.realSpaceCutoff ?? accf / Math.sqrt(eta),
    gmax: options.reciprocalCutoff ?? 2 * Math.sqrt(eta) * accf,
  };
}

/** Separate real, reciprocal and point parts (each n×n, point only on the diagonal). */
function ewaldParts(
  lattice: Lattice,
  frac: ReadonlyArray<Readonly<Vec3>>,
  options: EwaldOptions,
): { real: Float64Array; recip: Float64Array; point: Float64Array } & Parameters & { volume: number } {
  const n = frac.length;
  if (n === 0) throw new Error('Ewald: no sites');
  const volume = lattice.volume;
  const p = parameters(n, volume, options);
  const { eta, rmax, gmax } = p;
  const sqrtEta = Math.sqrt(eta);
  const m = lattice.matrix;

  // Real space: Σ over images within rmax of erfc(√η r)/r, halved (each pair counted as ij and ji).
  const real = new Float64Array(n * n);
  const widths = lattice.perpendicularWidths;
  // Differences are wrapped into [-0.5, 0.5), so images up to ceil(rmax/width) + 1 cells away suffice.
  const range = widths.map((wd) => Math.ceil(rmax / wd) + 1);
  const rmax2 = rmax * rmax;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const d = [0, 1, 2].map((k) => {
        const x = frac[j][k] - frac[i][k];
        return x - Math.round(x);
      });
      let sum = 0;
      for (let a = -range[0]; a <= range[0]; a++) {
        for (let b = -range[1]; b <= range[1]; b++) {
          for (let c = -range[2]; c <= range[2]; c++) {
            const fa = d[0] + a;
            const fb = d[1] + b;
            const fc = d[2] + c;
            const x = fa * m[0][0] + fb * m[1][0] + fc * m[2][0];
            const y = fa * m[0][1] + fb * m[1][1] + fc * m[2][1];
            const z = fa * m[0][2] + fb * m[1][2] + fc * m[2][2];
            const r2 = x * x + y * y + z * z;
            if (r2 > rmax2) continue;
            const r = Math.sqrt(r2);
            if (r <= 1e-8) continue; // the site itself
            sum += erfc(sqrtEta * r) / r;
          }
        }
      }
      const v = 0.5 * COULOMB_EV_A * sum;
      real[i * n + j] = v;
      real[j * n + i] = v;
    }
  }

  // Reciprocal space: (2π/V) Σ_{0<|G|≤gmax} exp(−G²/4η)/G² cos(G·(r_i − r_j)).
  const recip = new Float64Array(n * n);
  const twoPi = 2 * Math.PI;
  const bv = [cross(m[1], m[2]), cross(m[2], m[0]), cross(m[0], m[1])].map((v) => {
    const s = twoPi / dot(m[0], cross(m[1], m[2]));
    return [v[0] * s, v[1] * s, v[2] * s] as Vec3;
  });
  // |h| = |G·a_1|/2π ≤ gmax·|a_1|/2π, and likewise for k and l.
  const hmax = [0, 1, 2].map((k) => Math.ceil((gmax * norm(m[k])) / twoPi));
  const cart = frac.map((f) => lattice.fracToCart(f));
  const cosG = new Float64Array(n);
  const sinG = new Float64Array(n);
  const gmax2 = gmax * gmax;
  for (let h = 0; h <= hmax[0]; h++) {
    for (let k = -hmax[1]; k <= hmax[1]; k++) {
      for (let l = -hmax[2]; l <= hmax[2]; l++) {
        // G and −G contribute the same cosine: take one of each pair, weight 2.
        if (h === 0 && (k < 0 || (k === 0 && l <= 0))) continue;
        const g: Vec3 = [0, 1, 2].map((c) => h * bv[0][c] + k * bv[1][c] + l * bv[2][c]) as Vec3;
        const g2 = dot(g, g);
        if (g2 > gmax2) continue;
        const weight = (2 * Math.exp(-g2 / (4 * eta))) / g2;
        for (let i = 0; i < n; i++) {
          const phase = dot(g, cart[i]);
          cosG[i] = Math.cos(phase);
          sinG[i] = Math.sin(phase);
        }
        for (let i = 0; i < n; i++) {
          const ci = weight * cosG[i];
          const si = weight * sinG[i];
          const row = i * n;
          for (let j = i; j < n; j++) recip[row + j] += ci * cosG[j] + si * sinG[j];
        }
      }
    }
  }
  const prefactor = (twoPi / volume) * COULOMB_EV_A;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = recip[i * n + j] * prefactor;
      recip[i * n + j] = v;
      recip[j * n + i] = v;
    }
  }

  // Self term: −sqrt(η/π) per unit charge squared.
  const point = new Float64Array(n).fill(-Math.sqrt(eta / Math.PI) * COULOMB_EV_A);
  return { real, recip, point, ...p, volume };
}

/** The unit-charge matrix A of these positions: E = qᵀAq + chargedCellEnergy(A, Σq). */
export function ewaldMatrix(
  lattice: Lattice,
  frac: ReadonlyArray<Readonly<Vec3>>,
  options: EwaldOptions = {},
): EwaldMatrix {
  const parts = ewaldParts(lattice, frac, options);
  const n = frac.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = parts.real[i] + parts.recip[i];
  for (let i = 0; i < n; i++) a[i * n + i] += parts.point[i];
  return {
    n,
    a,
    eta: parts.eta,
    volume: parts.volume,
    realSpaceCutoff: parts.rmax,
    reciprocalCutoff: parts.gmax,
  };
}

/** Uniform neutralizing background for a net cell charge Q (e): −(π/2Vη)·Q²·e²/(4πε0). */
export function chargedCellEnergy(matrix: Pick<EwaldMatrix, 'eta' | 'volume'>, netCharge: number): number {
  return ((-COULOMB_EV_A / 2) * Math.PI * netCharge * netCharge) / (matrix.volume * matrix.eta);
}

/** qᵀAq (eV), without the background term. */
export function quadraticEnergy(matrix: EwaldMatrix, charges: ArrayLike<number>): number {
  const { n, a } = matrix;
  if (charges.length !== n) throw new Error(`Ewald: ${charges.length} charges for ${n} sites`);
  let e = 0;
  for (let i = 0; i < n; i++) {
    if (charges[i] === 0) continue;
    let row = 0;
    for (let j = 0; j < n; j++) row += a[i * n + j] * charges[j];
    e += charges[i] * row;
  }
  return e;
}

/**
 * Site charges as pymatgen's compute_average_oxidation_state: Σ occupancy × oxidation state.
 * Every species needs an oxidation state; the error names the first site without one.
 */
export function siteCharges(structure: Structure): number[] {
  return structure.sites.map((site, i) =>
    site.species.reduce((q, sp) => {
      if (sp.oxidationState === undefined) {
        throw new Error(
          `Ewald: site ${i}${site.label ? ` (${site.label})` : ''} species ${sp.element} has no oxidation state`,
        );
      }
      return q + sp.occupancy * sp.oxidationState;
    }, 0),
  );
}

/**
 * Ewald energy (eV) of a structure whose species carry oxidation states, or of explicit per-site
 * charges (e). Equals pymatgen's EwaldSummation(structure).total_energy and its parts.
 */
export function ewaldEnergy(
  structure: Structure,
  options: EwaldOptions & { charges?: readonly number[] } = {},
): EwaldEnergy {
  const q = options.charges ?? siteCharges(structure);
  if (q.length !== structure.numSites) {
    throw new Error(`Ewald: ${q.length} charges for ${structure.numSites} sites`);
  }
  q.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new Error(`Ewald: charge of site ${i} is not finite (${x})`);
  });
  const parts = ewaldParts(
    structure.lattice,
    structure.sites.map((s) => s.frac),
    options,
  );
  const n = q.length;
  const form = (m: Float64Array) => {
    let e = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) e += q[i] * q[j] * m[i * n + j];
    return e;
  };
  const real = form(parts.real);
  const reciprocal = form(parts.recip);
  const point = q.reduce((s, x, i) => s + x * x * parts.point[i], 0);
  const net = q.reduce((s, x) => s + x, 0);
  const charged = chargedCellEnergy(parts, net);
  return {
    total_eV: real + reciprocal + point + charged,
    real_eV: real,
    reciprocal_eV: reciprocal,
    point_eV: point,
    charged_cell_eV: charged,
    eta: parts.eta,
  };
}
