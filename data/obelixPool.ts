import { Composition } from '../materials/composition';
import { COMPOSITION_FEATURE_NAMES, compositionFeatures } from '../materials/compositionFeatures';
import type { LabelledPool } from './csvPool';
import type { ObelixEntry } from './obelix';

/**
 * OBELiX as a candidate pool: composition features of each entry's true composition (so all
 * 599 entries take part, with or without a CIF) and log10 σ as the hidden label.
 */
export function obelixPool(entries: readonly ObelixEntry[]): LabelledPool {
  return {
    featureNames: [...COMPOSITION_FEATURE_NAMES],
    rows: entries.map((e) => {
      let features: number[];
      try {
        features = compositionFeatures(Composition.parse(e.trueFormula));
      } catch (err) {
        throw new Error(`OBELiX entry ${e.id} (${e.trueFormula}): ${(err as Error).message}`, { cause: err });
      }
      return { candidateId: e.id, formula: e.reducedFormula, features, label: e.log10_sigma };
    }),
  };
}
