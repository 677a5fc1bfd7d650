/**
 * The structure an MD run gets: ordered as it is, or a disordered candidate ordered by
 * materials/ordering.ts under the stage's `order_disordered` options (what was done is recorded
 * with the run). Disabled ordering keeps the old refusal.
 */
import { orderDisorderedStructure } from '../materials/ordering';
import type { Structure } from '../materials/structure';
import { MdOrderingSpec } from '../schemas/mdStage';

/** What ordering did, stored in the md_runs document (flat fields: FerretDB refuses nested arrays). */
export interface MdRunOrdering {
  supercell: [number, number, number];
  num_atoms: number;
  formula: string;
  energy_eV: number;
  exhaustive: boolean;
  configurations_evaluated: number;
  seed: number;
  max_occupancy_deviation: number;
  /** Oxidation states used for the Ewald energy, as JSON text. */
  oxidation_states_json: string;
  seconds: number;
}

/**
 * Throws (plain Error, message naming the candidate) when the structure is disordered and
 * ordering is disabled or impossible under the options.
 */
export function orderedForMd(
  structure: Structure,
  options: MdOrderingSpec | undefined,
  candidateId: string,
): { structure: Structure; ordering: MdRunOrdering | null } {
  if (structure.isOrdered) return { structure, ordering: null };
  // Runs prepared before the option existed carry no options: the schema's defaults apply.
  const o = options ?? MdOrderingSpec.parse({});
  if (!o.enabled) {
    throw new Error(
      `candidate ${candidateId}: structure has partial occupancies; MD needs an ordered structure (order_disordered is disabled)`,
    );
  }
  const started = process.hrtime.bigint();
  let r;
  try {
    r = orderDisorderedStructure(structure, {
      maxAtoms: o.max_atoms,
      samples: o.samples,
      seed: o.seed,
      occupancyTolerance: o.occupancy_tolerance,
    });
  } catch (err) {
    throw new Error(`candidate ${candidateId}: ${(err as Error).message}`, { cause: err });
  }
  return {
    structure: r.structure,
    ordering: {
      supercell: r.supercell,
      num_atoms: r.structure.numSites,
      formula: r.structure.composition.formula,
      energy_eV: r.energy_eV,
      exhaustive: r.exhaustive,
      configurations_evaluated: r.configurations_evaluated,
      seed: r.seed,
      max_occupancy_deviation: r.max_occupancy_deviation,
      oxidation_states_json: JSON.stringify(r.oxidation_states),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    },
  };
}
