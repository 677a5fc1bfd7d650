import type { Db } from 'mongodb';

/** A crystal structure of a pool's candidate, as pymatgen's Structure.as_dict(). */
export interface StructureDoc {
  _id: string;
  pool_id: string;
  candidate_id: string;
  formula: string;
  num_sites: number;
  is_ordered: boolean;
  space_group: { number: number; symbol: string };
  /** Whether the detected space group equals the one the CIF states (null: none stated). */
  matches_stated_space_group: boolean | null;
  /** pymatgen's Structure.as_dict() as JSON text: FerretDB v1 refuses nested arrays (the lattice matrix). */
  structure_json: string;
}

const key = (poolId: string, candidateId: string) => `${poolId}/${candidateId}`;

/** Replaces a pool's structures: clears what an interrupted import left, then inserts. */
export async function saveStructures(
  db: Db,
  poolId: string,
  docs: Omit<StructureDoc, '_id' | 'pool_id'>[],
): Promise<void> {
  const structures = db.collection<StructureDoc>('structures');
  await structures.deleteMany({ pool_id: poolId });
  for (let i = 0; i < docs.length; i += 200) {
    await structures.insertMany(
      docs.slice(i, i + 200).map((d) => ({ ...d, _id: key(poolId, d.candidate_id), pool_id: poolId })),
      { ordered: false },
    );
  }
}

export async function getStructure(
  db: Db,
  poolId: string,
  candidateId: string,
): Promise<StructureDoc | null> {
  return db.collection<StructureDoc>('structures').findOne({ _id: key(poolId, candidateId) });
}

/** The candidate ids of a pool that have a stored structure. */
export async function structureCandidateIds(db: Db, poolId: string): Promise<Set<string>> {
  const docs = await db
    .collection<StructureDoc>('structures')
    .find({ pool_id: poolId })
    .project<{ candidate_id: string }>({ candidate_id: 1 })
    .toArray();
  return new Set(docs.map((d) => d.candidate_id));
}

export async function countStructures(db: Db, poolId: string): Promise<number> {
  return db.collection<StructureDoc>('structures').countDocuments({ pool_id: poolId });
}
