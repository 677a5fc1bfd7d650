import { parse } from 'csv-parse/sync';
import { Composition } from '../materials/composition';

/** A candidate pool read from a table: ids, feature matrix and (optionally) hidden labels. */
export interface LabelledPool {
  featureNames: string[];
  rows: {
    candidateId: string;
    formula?: string;
    features: number[];
    label?: number;
    /** Hidden labels of further properties (property name -> value), for the simulated lab. */
    properties?: Record<string, number>;
  }[];
}

export interface CsvPoolOptions {
  idColumn: string;
  featureColumns?: string[];
  targetColumn?: string;
  /** Column of chemical formulas (each must parse). */
  formulaColumn?: string;
  /** Hidden labels of further properties: property name -> column. */
  propertyColumns?: Record<string, string>;
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
  const propertyColumns = Object.entries(opts.propertyColumns ?? {});
  const hidden = new Set([opts.targetColumn, opts.formulaColumn, ...propertyColumns.map(([, c]) => c)]);
  for (const col of [
    opts.idColumn,
    opts.targetColumn,
    opts.formulaColumn,
    ...propertyColumns.map(([, c]) => c),
    ...(opts.featureColumns ?? []),
  ]) {
    if (col !== undefined && !header.includes(col)) {
      throw new Error(`${where}: column "${col}" not found (columns: ${header.join(', ')})`);
    }
  }
  const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));
  const featureNames =
    opts.featureColumns ??
    header.filter(
      // Hidden labels never become features: the surrogate must not see what the lab measures.
      (c) => c !== opts.idColumn && !hidden.has(c) && records.every((r) => isNumber(r[c])),
    );
  const leaked = featureNames.filter((c) => propertyColumns.some(([, column]) => column === c));
  if (leaked.length > 0)
    throw new Error(`${where}: hidden label column(s) ${leaked.join(', ')} named as features`);
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
    let formula: string | undefined;
    if (opts.formulaColumn !== undefined) {
      formula = r[opts.formulaColumn];
      try {
        Composition.parse(formula);
      } catch (err) {
        errors.push(`line ${line}, column "${opts.formulaColumn}": ${(err as Error).message}`);
      }
    }
    let properties: Record<string, number> | undefined;
    if (propertyColumns.length > 0) {
      properties = {};
      for (const [property, column] of propertyColumns) {
        if (!isNumber(r[column]))
          errors.push(`line ${line}, column "${column}": "${r[column]}" is not a finite number`);
        properties[property] = Number(r[column]);
      }
    }
    return {
      candidateId,
      features,
      label,
      ...(formula !== undefined ? { formula } : {}),
      ...(properties ? { properties } : {}),
    };
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, 20).join('; ');
    throw new Error(`${where}: ${errors.length} bad value(s): ${shown}${errors.length > 20 ? '; …' : ''}`);
  }
  return { featureNames, rows };
}
