import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
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
