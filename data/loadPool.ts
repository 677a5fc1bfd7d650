import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CandidateSourceSpec } from '../schemas';
import { ValidationError } from '../schemas';
import { LabelledPool, parseCsvPool } from './csvPool';
import { OBELIX_RELEASE_URL, parseObelixTable } from './obelix';
import { obelixPool } from './obelixPool';

/** The data a spec names cannot be had here; retrying will not help (workflows do not retry it). */
export class DataUnavailableError extends Error {
  override name = 'DataUnavailableError';
}

/** Bump when featurization changes, so a changed pool gets a new id instead of mixing versions. */
export const FEATURE_SET_VERSION = 'composition-v1';

export interface LoadedPool {
  /** Content-derived: the same file and options always give the same id (import is idempotent). */
  poolId: string;
  pool: LabelledPool;
  origin: string;
}

const contentId = (kind: string, ...parts: string[]) =>
  `${kind}-${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16)}`;

/** Default place of OBELiX: $CRUCIBLE_OBELIX_DIR, else ../shared/datasets/obelix beside the checkout. */
export function defaultObelixDir(): string {
  return (
    process.env.CRUCIBLE_OBELIX_DIR ?? path.resolve(__dirname, '..', '..', 'shared', 'datasets', 'obelix')
  );
}

/**
 * Finds OBELiX's all.csv: in `dir` when given or present, else in the download cache, else
 * downloads it from the authors' release. Offline without a copy, the error says where to put it.
 */
export async function locateObelixTable(dir?: string): Promise<string> {
  const candidates = [path.join(dir ?? defaultObelixDir(), 'all.csv')];
  if (dir !== undefined) {
    if (fs.existsSync(candidates[0])) return candidates[0];
    throw new ValidationError('campaign spec', [
      { path: 'source.dir', message: `${candidates[0]} does not exist` },
    ]);
  }
  const cacheDir = path.join(
    process.env.CRUCIBLE_HOME ?? path.join(os.homedir(), '.cache', 'crucible'),
    'datasets',
    'obelix',
  );
  const cached = path.join(cacheDir, 'all.csv');
  for (const file of [candidates[0], cached]) if (fs.existsSync(file)) return file;
  try {
    const res = await fetch(OBELIX_RELEASE_URL, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    parseObelixTable(text); // refuse to cache something that is not the table
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(`${cached}.partial`, text);
    fs.renameSync(`${cached}.partial`, cached);
    return cached;
  } catch (err) {
    throw new DataUnavailableError(
      `OBELiX data not found: looked for ${candidates[0]} and ${cached}, and downloading ${OBELIX_RELEASE_URL} failed ` +
        `(${(err as Error).message}). Put OBELiX's all.csv in one of those places or set CRUCIBLE_OBELIX_DIR.`,
      { cause: err },
    );
  }
}

export async function loadCandidatePool(source: CandidateSourceSpec): Promise<LoadedPool> {
  if (source.kind === 'obelix') {
    const file = await locateObelixTable(source.dir);
    const text = fs.readFileSync(file, 'utf8');
    return {
      poolId: contentId('obelix', text, FEATURE_SET_VERSION),
      pool: obelixPool(parseObelixTable(text)),
      origin: file,
    };
  }
  const file = path.resolve(source.path);
  if (!fs.existsSync(file)) {
    throw new ValidationError('campaign spec', [{ path: 'source.path', message: `${file} does not exist` }]);
  }
  const text = fs.readFileSync(file, 'utf8');
  let pool: LabelledPool;
  try {
    pool = parseCsvPool(text, {
      idColumn: source.id_column,
      featureColumns: source.feature_columns,
      targetColumn: source.target_column,
      formulaColumn: source.formula_column,
      propertyColumns: source.property_columns,
      sourceName: file,
    });
  } catch (err) {
    throw new ValidationError('candidate pool', [{ path: 'source', message: (err as Error).message }]);
  }
  // Options added later join the key only when set, so existing pools keep their ids.
  const extra =
    source.formula_column !== undefined || source.property_columns !== undefined
      ? [source.formula_column ?? null, sortedEntries(source.property_columns ?? {})]
      : [];
  const options = JSON.stringify([
    source.id_column,
    source.feature_columns ?? null,
    source.target_column ?? null,
    ...extra,
  ]);
  return { poolId: contentId('csv', text, options), pool, origin: file };
}

const sortedEntries = (record: Record<string, string>) =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
