import { parse } from 'csv-parse/sync';

/** A candidate pool read from a table: ids, feature matrix and (optionally) hidden labels. */
export interface LabelledPool {
  featureNames: string[];
  rows: { candidateId: string; formula?: string; features: number[]; label?: number }[];
}

export interface CsvPoolOptions {
  idColumn: string;
  featureColumns?: string[];
  targetColumn?: string;
  /** Name used in error messages, e.g. the file path. */
  sourceName?: string;
}

/**
 * Parses a CSV pool. Feature columns default to every column whose values are all numeric,
 * except the id and target. Every bad cell is reported with its row and column; duplicate ids
 * are refused, since an id is the idempotency key of each experiment.
 */
export function parseCsvPool(text: string, opts: CsvPoolOptions): LabelledPool {
  const where = opts.sourceName ?? 'CSV pool';
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new Error(`${where}: not valid CSV: ${(err as Error).message}`, { cause: err });
  }
  if (records.length === 0) throw new Error(`${where}: no data rows`);
  const header = Object.keys(records[0]);
  for (const col of [opts.idColumn, opts.targetColumn, ...(opts.featureColumns ?? [])]) {
    if (col !== undefined && !header.includes(col)) {
      throw new Error(`${where}: column "${col}" not found (columns: ${header.join(', ')})`);
    }
  }
  const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));
  const featureNames =
    opts.featureColumns ??
    header.filter(
      (c) => c !== opts.idColumn && c !== opts.targetColumn && records.every((r) => isNumber(r[c])),
    );
  if (featureNames.length === 0) throw new Error(`${where}: no numeric feature columns`);

  const errors: string[] = [];
  const seen = new Set<string>();
  const rows = records.map((r, i) => {
    const line = i + 2; // header is line 1
    const candidateId = r[opts.idColumn];
    if (!candidateId) errors.push(`line ${line}: empty id in column "${opts.idColumn}"`);
    else if (seen.has(candidateId)) errors.push(`line ${line}: duplicate id "${candidateId}"`);
    seen.add(candidateId);
    const features = featureNames.map((c) => {
      if (!isNumber(r[c])) errors.push(`line ${line}, column "${c}": "${r[c]}" is not a finite number`);
      return Number(r[c]);
    });
    let label: number | undefined;
    if (opts.targetColumn !== undefined) {
      label = Number(r[opts.targetColumn]);
      if (!isNumber(r[opts.targetColumn])) {
        errors.push(
          `line ${line}, column "${opts.targetColumn}": "${r[opts.targetColumn]}" is not a finite number`,
        );
      }
    }
    return { candidateId, features, label };
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, 20).join('; ');
    throw new Error(`${where}: ${errors.length} bad value(s): ${shown}${errors.length > 20 ? '; …' : ''}`);
  }
  return { featureNames, rows };
}
