import type { Vec3 } from '../../../materials/lattice';

export interface SiteMatch {
  /** ours[i] corresponds to reference[refIndex[i]] */
  refIndex: number[];
  /** ours[i].frac = reference[refIndex[i]] + shift[i] (integer lattice translation) */
  shift: Vec3[];
  /** largest |fractional difference| after removing the shift */
  maxFracError: number;
}

/**
 * Pairs our sites with reference sites at the same periodic position (fractional tolerance),
 * one to one. Returns a message instead when some site has no partner.
 */
export function matchSitesByPosition(
  ours: ReadonlyArray<Readonly<Vec3>>,
  reference: ReadonlyArray<Readonly<Vec3>>,
  tol = 1e-6,
): SiteMatch | string {
  if (ours.length !== reference.length) return `site count ${ours.length} vs reference ${reference.length}`;
  const used = new Uint8Array(reference.length);
  const refIndex: number[] = [];
  const shift: Vec3[] = [];
  let maxFracError = 0;
  for (let i = 0; i < ours.length; i += 1) {
    let found = -1;
    for (let j = 0; j < reference.length && found < 0; j += 1) {
      if (used[j]) continue;
      const d = [0, 1, 2].map((k) => ours[i][k] - reference[j][k]);
      if (d.every((x) => Math.abs(x - Math.round(x)) <= tol)) {
        found = j;
        shift.push(d.map((x) => Math.round(x)) as Vec3);
        maxFracError = Math.max(maxFracError, ...d.map((x) => Math.abs(x - Math.round(x))));
      }
    }
    if (found < 0) return `our site ${i} at ${JSON.stringify(ours[i])} has no reference site within ${tol}`;
    used[found] = 1;
    refIndex.push(found);
  }
  return { refIndex, shift, maxFracError };
}
