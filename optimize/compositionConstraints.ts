/**
 * Composition constraints: deterministic, decided from a candidate's formula alone, so they
 * filter the pool before any model sees it (a candidate they exclude is never proposed).
 */
import { Composition } from '../materials/composition';

/**
 * For each formula, the excluded elements it contains (empty: allowed). A missing or unreadable
 * formula throws, naming the candidate: with an exclusion in force, it cannot be judged.
 */
export function excludedElementsOf(
  formulas: readonly (string | null | undefined)[],
  candidateIds: readonly string[],
  excluded: ReadonlySet<string>,
): string[][] {
  return formulas.map((formula, i) => {
    if (formula === null || formula === undefined || formula === '')
      throw new Error(`candidate ${candidateIds[i]} has no formula to check against exclude_elements`);
    let elements: string[];
    try {
      elements = Composition.parse(formula).elements;
    } catch (err) {
      throw new Error(`candidate ${candidateIds[i]}: ${(err as Error).message}`, { cause: err });
    }
    return elements.filter((e) => excluded.has(e));
  });
}

/** Row indices whose formulas contain none of `excluded`. */
export function allowedRows(
  formulas: readonly (string | null | undefined)[],
  candidateIds: readonly string[],
  excluded: ReadonlySet<string>,
): Set<number> {
  const out = new Set<number>();
  excludedElementsOf(formulas, candidateIds, excluded).forEach((hit, i) => {
    if (hit.length === 0) out.add(i);
  });
  return out;
}
