import { parse } from 'csv-parse/sync';

/**
 * OBELiX (Therrien et al., Digital Discovery 2026, arXiv:2502.14234; CC BY 4.0): 599 Li solid
 * electrolytes with measured room-temperature ionic conductivity.
 */
export const OBELIX_RELEASE_URL =
  'https://raw.githubusercontent.com/NRC-Mila/OBELiX/main/data/downloads/all.csv';
export const OBELIX_CITATION =
  'F. Therrien et al., OBELiX: a curated dataset of crystal structures and experimentally measured ionic conductivities for lithium solid-state electrolytes, Digital Discovery (2026), arXiv:2502.14234';

/** The authors' own code replaces censored values such as "<1E-10" by 1e-15 S/cm. */
export const OBELIX_CENSORED_LOG10_SIGMA = -15;

export interface ObelixEntry {
  id: string;
  reducedFormula: string;
  trueFormula: string;
  conductivity_S_per_cm: number;
  log10_sigma: number;
  /** True when the table gives only an upper bound ("<1E-10"). */
  censored: boolean;
  family: string;
  spaceGroupNumber: number | null;
}

const CONDUCTIVITY = 'Ionic conductivity (S cm-1)';

export function parseObelixTable(text: string): ObelixEntry[] {
  const records: Record<string, string>[] = parse(text, { columns: true, skip_empty_lines: true, bom: true });
  for (const col of ['ID', 'Reduced Composition', 'True Composition', CONDUCTIVITY]) {
    if (records.length > 0 && !(col in records[0])) throw new Error(`OBELiX table: column "${col}" missing`);
  }
  return records.map((r, i) => {
    const raw = r[CONDUCTIVITY].trim();
    const censored = raw.startsWith('<');
    const sigma = censored ? 10 ** OBELIX_CENSORED_LOG10_SIGMA : Number(raw);
    if (!(sigma > 0) || !Number.isFinite(sigma)) {
      throw new Error(`OBELiX table line ${i + 2} (${r.ID}): conductivity "${raw}" is not a positive number`);
    }
    const sg = Number(r['Space group #']);
    return {
      id: r.ID,
      reducedFormula: r['Reduced Composition'],
      trueFormula: r['True Composition'],
      conductivity_S_per_cm: sigma,
      log10_sigma: censored ? OBELIX_CENSORED_LOG10_SIGMA : Math.log10(sigma),
      censored,
      family: r.Family ?? '',
      spaceGroupNumber: Number.isInteger(sg) && sg > 0 ? sg : null,
    };
  });
}
