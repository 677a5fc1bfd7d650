// A candidate's crystal structure for the dashboard's viewer, and which candidates of a pool have
// one. Structures live in the `structures` collection as pymatgen Structure.as_dict() JSON text
// (store/structures.ts), written by `crucible import` or the importStructures activity; pools
// from tables without CIFs have none, and the answer says so instead of failing.
import { getElement, isElementSymbol } from '../../materials/elements';
import { getCampaign } from '../../store/campaigns';
import { getCandidate, getPool } from '../../store/pools';
import { StructureDoc, getStructure } from '../../store/structures';
import type { CampaignDeps } from '../campaigns';
import { HttpError } from '../errors';

export interface CandidateStructure {
  campaign_id: string;
  candidate_id: string;
  pool_id: string | null;
  /** The candidate's formula as its pool states it (tables without formulas: the structure's). */
  formula: string | null;
  /** null when the candidate has no structure; `reason` then says why. */
  structure: {
    formula: string;
    num_sites: number;
    is_ordered: boolean;
    space_group: { number: number; symbol: string };
    matches_stated_space_group: boolean | null;
    /** pymatgen Structure.as_dict(): lattice.matrix rows are a, b, c in Å; sites carry abc, xyz, species with occu. */
    pymatgen: Record<string, unknown>;
    /** Covalent radii (Cordero 2008, Å) of the elements present, for drawing atom sizes. */
    radii_A: Record<string, number>;
  } | null;
  reason: string | null;
}

export async function candidateStructure(
  deps: CampaignDeps,
  campaignId: string,
  candidateId: string,
): Promise<CandidateStructure> {
  const campaign = await getCampaign(deps.db, campaignId);
  if (!campaign) throw new HttpError(404, 'not_found', `no campaign "${campaignId}"`);
  const base = { campaign_id: campaignId, candidate_id: candidateId, pool_id: campaign.pool_id };
  if (!campaign.pool_id) {
    return { ...base, formula: null, structure: null, reason: "the campaign's pool is not imported yet" };
  }
  const [candidate, doc] = await Promise.all([
    getCandidate(deps.db, campaign.pool_id, candidateId),
    getStructure(deps.db, campaign.pool_id, candidateId),
  ]);
  if (!candidate && !doc) {
    throw new HttpError(404, 'not_found', `campaign "${campaignId}" has no candidate "${candidateId}"`);
  }
  if (!doc) {
    const pool = await getPool(deps.db, campaign.pool_id);
    const kind = typeof pool?.source.kind === 'string' ? pool.source.kind : 'its source';
    return {
      ...base,
      formula: candidate?.formula ?? null,
      structure: null,
      reason:
        `no crystal structure stored for ${candidateId}: the pool (${kind}) came without a CIF for it. ` +
        '`crucible import <table> --cifs <folder>` adds structures to a pool.',
    };
  }
  return {
    ...base,
    formula: candidate?.formula ?? doc.formula,
    structure: structureView(doc),
    reason: null,
  };
}

function structureView(doc: StructureDoc): NonNullable<CandidateStructure['structure']> {
  const pymatgen = JSON.parse(doc.structure_json) as Record<string, unknown> & {
    sites?: { species?: { element?: unknown }[] }[];
  };
  const radii: Record<string, number> = {};
  for (const site of pymatgen.sites ?? []) {
    for (const sp of site.species ?? []) {
      const el = sp.element;
      if (typeof el !== 'string' || el in radii || !isElementSymbol(el)) continue;
      radii[el] = getElement(el).covalent_radius_A ?? 1.5;
    }
  }
  return {
    formula: doc.formula,
    num_sites: doc.num_sites,
    is_ordered: doc.is_ordered,
    space_group: doc.space_group,
    matches_stated_space_group: doc.matches_stated_space_group,
    pymatgen,
    radii_A: radii,
  };
}

// Which candidates of a pool have a structure, for marking them in the dashboard's tables. One
// query per pool every STRUCTURE_IDS_TTL_MS (an import may add structures at any time), not one
// per 2 s poll: FerretDB scans the collection for it.
const STRUCTURE_IDS_TTL_MS = 15_000;
const structureIdsCache = new Map<string, { at: number; ids: Promise<Set<string>> }>();

export function poolStructureIds(deps: CampaignDeps, poolId: string | null): Promise<Set<string>> {
  if (!poolId) return Promise.resolve(new Set());
  const hit = structureIdsCache.get(poolId);
  if (hit && Date.now() - hit.at < STRUCTURE_IDS_TTL_MS) return hit.ids;
  const ids = deps.db
    .collection<StructureDoc>('structures')
    .find({ pool_id: poolId }, { projection: { candidate_id: 1 } })
    .toArray()
    .then((docs) => new Set(docs.map((d) => d.candidate_id)));
  if (structureIdsCache.size > 64) structureIdsCache.clear();
  structureIdsCache.set(poolId, { at: Date.now(), ids });
  ids.catch(() => structureIdsCache.delete(poolId));
  return ids;
}

// Candidate formulas never change (pools are content-addressed), so they are cached for good.
const formulaCache = new Map<string, string | null>();
export async function candidateFormulas(
  deps: CampaignDeps,
  poolId: string | null,
  candidateIds: string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (!poolId) return out;
  await Promise.all(
    [...new Set(candidateIds)].map(async (c) => {
      const key = `${poolId}/${c}`;
      if (!formulaCache.has(key)) {
        const doc = await getCandidate(deps.db, poolId, c);
        if (!doc) return out.set(c, null); // not imported yet: ask again next time
        if (formulaCache.size > 5000) formulaCache.clear();
        formulaCache.set(key, doc.formula);
      }
      out.set(c, formulaCache.get(key) ?? null);
    }),
  );
  return out;
}
