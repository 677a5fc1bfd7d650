/**
 * OBELiX (Therrien et al. 2025, CC BY 4.0) for the ML benchmarks: the official train/test split
 * restricted to the entries with CIFs (254 / 67), as crystal graphs for CGCNN and as the
 * composition features (materials/compositionFeatures) of the same entries for the baselines.
 * Censored conductivities are log10 σ = −15, as the authors' code treats them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseObelixTable, type ObelixEntry } from '../../data/obelix';
import { readCifStructure } from '../../materials/cifReader';
import { Composition } from '../../materials/composition';
import { compositionFeatures } from '../../materials/compositionFeatures';
import { crystalGraph, type CrystalGraph, type CrystalGraphOptions } from '../../materials/crystalGraph';
import { orderDisorderedStructure } from '../../materials/ordering';
import type { Structure } from '../../materials/structure';

export const OBELIX_DIR =
  process.env.CRUCIBLE_OBELIX_DIR ??
  path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'obelix');

export interface ObelixSplitPart {
  ids: string[];
  graphs: CrystalGraph[];
  /** Composition features of each entry's true composition. */
  features: number[][];
  y: number[];
  censored: boolean[];
}

export interface ObelixCifSplit {
  train: ObelixSplitPart;
  test: ObelixSplitPart;
  /** Entries with a CIF that could not be read, with the reason. */
  failures: string[];
  graphSeconds: number;
  /** With `ordered`: disordered entries ordered, and those kept occupancy-weighted (with why). */
  ordering: { ordered: number; kept_disordered: string[] } | null;
}

export interface ObelixLoadOptions {
  /**
   * Build graphs of disordered entries from their lowest-Ewald-energy ordering
   * (materials/ordering.ts, at most `maxAtoms` atoms), as the OBELiX authors' structure models
   * use rounded occupancies; entries that cannot be ordered keep occupancy-weighted embeddings.
   */
  ordered?: { maxAtoms: number };
}

function splitIds(file: string): string[] {
  const rows = parse(fs.readFileSync(path.join(OBELIX_DIR, file), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
  return (rows as { ID: string }[]).map((r) => r.ID);
}

export function obelixEntries(): Map<string, ObelixEntry> {
  return new Map(
    parseObelixTable(fs.readFileSync(path.join(OBELIX_DIR, 'all.csv'), 'utf8')).map((e) => [e.id, e]),
  );
}

/** Official split ids (all entries, 478 / 121). */
export function obelixSplitIds(): { train: string[]; test: string[] } {
  return { train: splitIds('train.csv'), test: splitIds('test.csv') };
}

export function loadObelixCifSplit(
  graphOptions: CrystalGraphOptions,
  options: ObelixLoadOptions = {},
): ObelixCifSplit {
  const started = Date.now();
  const entries = obelixEntries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obelix-'));
  const failures: string[] = [];
  const ordering = options.ordered ? { ordered: 0, kept_disordered: [] as string[] } : null;
  const graphStructure = (id: string, s: Structure): Structure => {
    if (!options.ordered || !ordering || s.isOrdered) return s;
    try {
      const r = orderDisorderedStructure(s, { maxAtoms: options.ordered.maxAtoms });
      ordering.ordered += 1;
      return r.structure;
    } catch (error) {
      ordering.kept_disordered.push(`${id}: ${(error as Error).message.split('\n')[0]}`);
      return s;
    }
  };
  try {
    execFileSync('tar', ['-xzf', path.join(OBELIX_DIR, 'all_cifs.tar.gz'), '-C', dir]);
    const cifs = new Map<string, string>();
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.cif')) cifs.set(e.name.slice(0, -4), p);
      }
    };
    walk(dir);
    const load = (ids: string[]): ObelixSplitPart => {
      const part: ObelixSplitPart = { ids: [], graphs: [], features: [], y: [], censored: [] };
      for (const id of ids) {
        const file = cifs.get(id);
        const entry = entries.get(id);
        if (!file || !entry) continue;
        try {
          const structure = readCifStructure(fs.readFileSync(file, 'utf8'), { source: file });
          const graph = crystalGraph(graphStructure(id, structure), graphOptions);
          const features = compositionFeatures(Composition.parse(entry.trueFormula));
          part.graphs.push(graph);
          part.features.push(features);
          part.y.push(entry.log10_sigma);
          part.censored.push(entry.censored);
          part.ids.push(id);
        } catch (error) {
          failures.push(`${id}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      return part;
    };
    const { train, test } = obelixSplitIds();
    const parts = { train: load(train), test: load(test) };
    return { ...parts, failures, graphSeconds: (Date.now() - started) / 1000, ordering };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
