import { Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { readCifCollection } from '../data/cifCollection';
import { readCif } from '../materials/cifReader';
import { toPymatgenDict } from '../materials/pymatgenJson';
import { detectSpaceGroup, matchesStatedSpaceGroup } from '../materials/spaceGroup';
import { StructureDoc, saveStructures } from '../store/structures';

export interface StructureImportReport {
  pool_id: string;
  imported: number;
  /** Files that could not be read, each with the reason; the others are imported. */
  failed: { file: string; message: string }[];
  space_group_mismatches: string[];
}

/** Structure I/O on the orchestration queue: CIF collections into the `structures` collection. */
export function createMaterialsActivities(deps: { db: Db }) {
  return {
    async importStructures(input: { pool_id: string; source: string }): Promise<StructureImportReport> {
      const files = readCifCollection(input.source);
      const docs: Omit<StructureDoc, '_id' | 'pool_id'>[] = [];
      const failed: StructureImportReport['failed'] = [];
      const mismatches: string[] = [];
      files.forEach((f, i) => {
        try {
          const [first] = readCif(f.text, { source: f.file });
          if (!first) throw new Error('no data block');
          const sg = detectSpaceGroup(first.structure);
          const matches = matchesStatedSpaceGroup(sg, first.statedSpaceGroup) ?? null;
          if (matches === false) mismatches.push(f.candidateId);
          docs.push({
            candidate_id: f.candidateId,
            formula: first.structure.composition.reducedFormula,
            num_sites: first.structure.numSites,
            is_ordered: first.structure.isOrdered,
            space_group: { number: sg.number, symbol: sg.symbol },
            matches_stated_space_group: matches,
            structure_json: JSON.stringify(toPymatgenDict(first.structure)),
          });
        } catch (err) {
          failed.push({ file: f.file, message: (err as Error).message });
        }
        if (i % 20 === 0) Context.current().heartbeat({ parsed: i + 1, total: files.length });
      });
      await saveStructures(deps.db, input.pool_id, docs);
      return { pool_id: input.pool_id, imported: docs.length, failed, space_group_mismatches: mismatches };
    },
  };
}
