/**
 * `crucible import <source>`: writes a candidate pool (a CSV table, OBELiX, or a folder or
 * .tar.gz of CIFs) and the crystal structures that come with it into MongoDB, without starting a
 * campaign. A campaign whose spec names the same source later finds the pool already there.
 *
 * Everything is read and validated before anything is written, so bad input writes nothing.
 * Every document is keyed by the content-derived pool id (and candidate id), so a re-import, or
 * one that crashed half-way, only fills the gaps: nothing is ever deleted or overwritten.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MongoBulkWriteError } from 'mongodb';
import type { Db } from 'mongodb';
import { readCifCollection, type CifFile } from '../data/cifCollection';
import type { LabelledPool } from '../data/csvPool';
import { FEATURE_SET_VERSION, defaultObelixDir, loadCandidatePool } from '../data/loadPool';
import { readCif } from '../materials/cifReader';
import { COMPOSITION_FEATURE_NAMES, compositionFeatures } from '../materials/compositionFeatures';
import { toPymatgenDict } from '../materials/pymatgenJson';
import { detectSpaceGroup, matchesStatedSpaceGroup } from '../materials/spaceGroup';
import type { Structure } from '../materials/structure';
import { getPool, savePool } from '../store/pools';
import type { StructureDoc } from '../store/structures';

export type ImportSource =
  | { kind: 'csv'; path: string; id_column: string; feature_columns?: string[]; target_column?: string }
  | { kind: 'obelix'; dir?: string }
  /** A folder (searched recursively) or a .tar.gz of CIFs; each file name is a candidate id. */
  | { kind: 'cifs'; path: string };

export interface ImportOptions {
  /**
   * CIFs to store as the candidates' structures (file name = candidate id). For OBELiX the
   * default is the dataset's all_cifs.tar.gz when present; null: import no structures.
   */
  cifs?: string | null;
  /** Import the readable CIFs and report the others, instead of refusing the whole import. */
  skipUnreadable?: boolean;
  onProgress?: (phase: ImportPhase, done: number, total: number) => void;
}

export type ImportPhase = 'reading CIFs' | 'writing candidates' | 'writing structures';

export interface ImportReport {
  pool_id: string;
  source: ImportSource['kind'];
  /** The file or folder read. */
  origin: string;
  /** Candidates in the pool. */
  size: number;
  labelled: boolean;
  /** Candidate documents this run wrote, and those an earlier import had already written. */
  inserted: number;
  already_present: number;
  /** Structures the pool has after this run (candidates without one have none to show). */
  structures: number;
  structures_inserted: number;
  structures_already_present: number;
  /** CIFs skipped with --skip-unreadable, each with the reason. */
  unreadable: { file: string; message: string }[];
}

/** A refused import: the message names the file, line, column or field. Nothing was written. */
export class ImportError extends Error {
  override name = 'ImportError';
}

type StructureFields = Omit<StructureDoc, '_id' | 'pool_id'>;

interface ParsedCif {
  file: string;
  candidateId: string;
  structure: Structure;
  doc: StructureFields;
}

/** The stored form of a CIF's first structure (the same fields the importStructures activity writes). */
export function structureFields(candidateId: string, file: string, text: string): ParsedCif {
  const [first] = readCif(text, { source: file });
  if (!first) throw new Error(`${file}: no data block`);
  const sg = detectSpaceGroup(first.structure);
  return {
    file,
    candidateId,
    structure: first.structure,
    doc: {
      candidate_id: candidateId,
      formula: first.structure.composition.reducedFormula,
      num_sites: first.structure.numSites,
      is_ordered: first.structure.isOrdered,
      space_group: { number: sg.number, symbol: sg.symbol },
      matches_stated_space_group: matchesStatedSpaceGroup(sg, first.statedSpaceGroup) ?? null,
      structure_json: JSON.stringify(toPymatgenDict(first.structure)),
    },
  };
}

function readCifs(
  source: string,
  opts: ImportOptions,
): { parsed: ParsedCif[]; unreadable: ImportReport['unreadable']; files: CifFile[] } {
  let files: CifFile[];
  try {
    files = readCifCollection(source);
  } catch (err) {
    throw new ImportError((err as Error).message, { cause: err });
  }
  if (files.length === 0) throw new ImportError(`${source}: no .cif files found`);
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.candidateId);
    if (other !== undefined) {
      throw new ImportError(`${source}: two CIFs named ${f.file} give the candidate id "${f.candidateId}"`);
    }
    seen.set(f.candidateId, f.file);
  }
  const parsed: ParsedCif[] = [];
  const unreadable: ImportReport['unreadable'] = [];
  files.forEach((f, i) => {
    try {
      parsed.push(structureFields(f.candidateId, f.file, f.text));
    } catch (err) {
      unreadable.push({ file: f.file, message: (err as Error).message });
    }
    opts.onProgress?.('reading CIFs', i + 1, files.length);
  });
  if (unreadable.length > 0 && !opts.skipUnreadable) {
    const shown = unreadable
      .slice(0, 5)
      .map((u) => u.message)
      .join('; ');
    throw new ImportError(
      `${source}: ${unreadable.length} of ${files.length} CIFs cannot be read (nothing was imported; ` +
        `--skip-unreadable imports the others): ${shown}${unreadable.length > 5 ? '; …' : ''}`,
    );
  }
  return { parsed, unreadable, files };
}

const cifPoolId = (files: CifFile[]) => {
  const h = createHash('sha256').update(`cifs\0${FEATURE_SET_VERSION}`);
  for (const f of [...files].sort((a, b) => a.candidateId.localeCompare(b.candidateId))) {
    h.update(`\0${f.candidateId}\0${f.text}`);
  }
  return `cifs-${h.digest('hex').slice(0, 16)}`;
};

/** A pool made of CIFs alone: composition features of each structure, no hidden labels. */
function cifPool(parsed: ParsedCif[]): LabelledPool {
  return {
    featureNames: [...COMPOSITION_FEATURE_NAMES],
    rows: parsed.map((p) => {
      try {
        return {
          candidateId: p.candidateId,
          formula: p.doc.formula,
          features: compositionFeatures(p.structure.composition),
        };
      } catch (err) {
        throw new ImportError(`${p.file}: composition features: ${(err as Error).message}`, { cause: err });
      }
    }),
  };
}

async function loadSource(
  source: ImportSource,
): Promise<{ poolId: string; pool: LabelledPool; origin: string }> {
  if (source.kind === 'csv') {
    const file = path.resolve(source.path);
    if (!fs.existsSync(file)) throw new ImportError(`${file} does not exist`);
  }
  if (source.kind === 'obelix' && source.dir !== undefined) {
    const file = path.join(source.dir, 'all.csv');
    if (!fs.existsSync(file)) throw new ImportError(`${file} does not exist (OBELiX folder ${source.dir})`);
  }
  try {
    return await loadCandidatePool(source as Exclude<ImportSource, { kind: 'cifs' }>);
  } catch (err) {
    // The loaders speak of "the campaign spec"; here the message itself (file, line, column) is the point.
    const e = err as Error & { issues?: { message: string }[] };
    const message = e.issues?.map((i) => i.message).join('; ') ?? e.message;
    throw new ImportError(message, { cause: err });
  }
}

async function existingIds(db: Db, collection: string, poolId: string): Promise<Set<string>> {
  const docs = await db
    .collection<{ _id: string; candidate_id: string }>(collection)
    .find({ pool_id: poolId }, { projection: { candidate_id: 1 } })
    .toArray();
  return new Set(docs.map((d) => d.candidate_id));
}

/** The parsed CIFs not yet stored; refuses (before any write) a CIF that differs from the stored one. */
async function checkStructures(db: Db, poolId: string, parsed: ParsedCif[]): Promise<ParsedCif[]> {
  const stored = await db
    .collection<StructureDoc>('structures')
    .find({ pool_id: poolId }, { projection: { candidate_id: 1, structure_json: 1 } })
    .toArray();
  const byId = new Map(stored.map((d) => [d.candidate_id, d.structure_json]));
  const differing = parsed.filter(
    (p) => byId.has(p.candidateId) && byId.get(p.candidateId) !== p.doc.structure_json,
  );
  if (differing.length > 0) {
    throw new ImportError(
      `pool ${poolId} already holds a different structure for ${differing
        .slice(0, 5)
        .map((p) => `"${p.candidateId}" (${p.file})`)
        .join(
          ', ',
        )}${differing.length > 5 ? ', …' : ''}: stored structures are never replaced; nothing was imported`,
    );
  }
  return parsed.filter((p) => !byId.has(p.candidateId));
}

async function insertNew(db: Db, poolId: string, todo: ParsedCif[], onProgress: ImportOptions['onProgress']) {
  const structures = db.collection<StructureDoc>('structures');
  let inserted = 0;
  for (let i = 0; i < todo.length; i += 50) {
    const chunk = todo.slice(i, i + 50);
    try {
      const r = await structures.insertMany(
        chunk.map((p) => ({ ...p.doc, _id: `${poolId}/${p.candidateId}`, pool_id: poolId })),
        { ordered: false },
      );
      inserted += r.insertedCount;
    } catch (err) {
      // A concurrent import of the same pool wrote some first: the same content, so skip them.
      const writeErrors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : null;
      if (!writeErrors || writeErrors.some((e) => e.code !== 11000)) throw err;
      inserted += chunk.length - writeErrors.length;
    }
    onProgress?.('writing structures', Math.min(i + 50, todo.length), todo.length);
  }
  return inserted;
}

export async function importPool(
  db: Db,
  source: ImportSource,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  // 1. Read and validate everything; nothing is written before this finishes.
  let loaded: { poolId: string; pool: LabelledPool; origin: string };
  let cifs: ReturnType<typeof readCifs> | null = null;
  if (source.kind === 'cifs') {
    cifs = readCifs(source.path, opts);
    loaded = { poolId: cifPoolId(cifs.files), pool: cifPool(cifs.parsed), origin: path.resolve(source.path) };
  } else {
    loaded = await loadSource(source);
    let cifSource = opts.cifs;
    if (cifSource === undefined && source.kind === 'obelix') {
      const bundled = path.join(source.dir ?? defaultObelixDir(), 'all_cifs.tar.gz');
      cifSource = fs.existsSync(bundled) ? bundled : null;
    }
    if (cifSource) {
      cifs = readCifs(cifSource, opts);
      const ids = new Set(loaded.pool.rows.map((r) => r.candidateId));
      const strangers = cifs.parsed.filter((p) => !ids.has(p.candidateId));
      if (strangers.length > 0) {
        throw new ImportError(
          `${cifSource}: ${strangers.length} CIF(s) name no candidate of ${loaded.origin} ` +
            `(a CIF's file name must be its candidate id): ${strangers
              .slice(0, 5)
              .map((s) => s.file)
              .join(', ')}${strangers.length > 5 ? ', …' : ''}`,
        );
      }
    }
  }
  const { poolId, pool } = loaded;
  const newStructures = cifs ? await checkStructures(db, poolId, cifs.parsed) : [];

  // 2. Write: candidates (the pool document, complete=true, last), then structures.
  const presentBefore = await existingIds(db, 'candidates', poolId);
  const already = pool.rows.filter((r) => presentBefore.has(r.candidateId)).length;
  const complete = (await getPool(db, poolId))?.complete === true;
  if (!complete || already < pool.rows.length) {
    const sourceDoc =
      source.kind === 'cifs' ? { kind: 'cifs', path: loaded.origin } : { ...source, origin: loaded.origin };
    await savePool(
      db,
      poolId,
      sourceDoc,
      pool,
      (done, total) => opts.onProgress?.('writing candidates', done, total),
      100,
    );
  } else {
    opts.onProgress?.('writing candidates', pool.rows.length, pool.rows.length);
  }
  const structuresInserted = await insertNew(db, poolId, newStructures, opts.onProgress);
  const structures = await db.collection<StructureDoc>('structures').countDocuments({ pool_id: poolId });
  return {
    pool_id: poolId,
    source: source.kind,
    origin: loaded.origin,
    size: pool.rows.length,
    labelled: pool.rows.every((r) => r.label !== undefined),
    inserted: pool.rows.length - already,
    already_present: already,
    structures,
    structures_inserted: structuresInserted,
    structures_already_present: (cifs?.parsed.length ?? 0) - newStructures.length,
    unreadable: cifs?.unreadable ?? [],
  };
}
