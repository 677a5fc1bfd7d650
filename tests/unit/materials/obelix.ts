import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { readCifStructure } from '../../../materials/cifReader';
import type { Structure } from '../../../materials/structure';
import { SHARED_DATASETS } from '../../helpers/python';

export const OBELIX_DIR = path.join(SHARED_DATASETS, 'obelix');

export interface ObelixRow {
  ID: string;
  'Reduced Composition': string;
  'True Composition': string;
  [column: string]: string;
}

/** The 599 rows of OBELiX all.csv (Therrien et al. 2025, CC BY 4.0). */
export function readObelixRows(): ObelixRow[] {
  const text = fs.readFileSync(path.join(OBELIX_DIR, 'all.csv'), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true }) as ObelixRow[];
}

/** The 10 COD CIFs of ../shared/datasets/cgcnn-sample, sorted. */
export function cgcnnSampleCifs(): string[] {
  const dir = path.join(SHARED_DATASETS, 'cgcnn-sample');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cif'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Extracts OBELiX's all_cifs.tar.gz into a fresh temp dir; returns the dir and the sorted CIF paths. */
export function extractObelixCifs(): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obelix-cifs-'));
  execFileSync('tar', ['-xzf', path.join(OBELIX_DIR, 'all_cifs.tar.gz'), '-C', dir]);
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.cif')) files.push(p);
    }
  };
  walk(dir);
  return { dir, files: files.sort() };
}

/** Named OBELiX CIFs (e.g. "97b") read with our CIF reader, extracted once into a temp dir that is removed. */
export function readObelixCifs(ids: readonly string[]): Map<string, Structure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obelix-cif-'));
  try {
    execFileSync('tar', [
      '-xzf',
      path.join(OBELIX_DIR, 'all_cifs.tar.gz'),
      '-C',
      dir,
      ...ids.map((id) => `all_randomized_cifs/${id}.cif`),
    ]);
    const text = (id: string) => fs.readFileSync(path.join(dir, 'all_randomized_cifs', `${id}.cif`), 'utf8');
    return new Map(ids.map((id) => [id, readCifStructure(text(id), { source: `${id}.cif` })]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
