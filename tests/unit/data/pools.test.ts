import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsvPool } from '../../../data/csvPool';
import { OBELIX_CENSORED_LOG10_SIGMA, parseObelixTable } from '../../../data/obelix';
import { obelixPool } from '../../../data/obelixPool';
import { SHARED_DATASETS } from '../../helpers/python';

describe('parseCsvPool', () => {
  const csv = 'id,a,b,label,note\nx1,1,2,0.5,foo\nx2,3,4,1.5,bar\n';
  it('takes numeric columns as features by default, keeping id and target out', () => {
    const pool = parseCsvPool(csv, { idColumn: 'id', targetColumn: 'label' });
    expect(pool.featureNames).toEqual(['a', 'b']);
    expect(pool.rows).toEqual([
      { candidateId: 'x1', features: [1, 2], label: 0.5 },
      { candidateId: 'x2', features: [3, 4], label: 1.5 },
    ]);
  });
  it('names the line and column of a bad cell', () => {
    expect(() => parseCsvPool('id,a\nx1,1\nx2,oops\n', { idColumn: 'id', featureColumns: ['a'] })).toThrow(
      /line 3, column "a": "oops" is not a finite number/,
    );
  });
  it('refuses duplicate ids and unknown columns', () => {
    expect(() => parseCsvPool('id,a\nx,1\nx,2\n', { idColumn: 'id' })).toThrow(/line 3: duplicate id "x"/);
    expect(() => parseCsvPool(csv, { idColumn: 'ID' })).toThrow(/column "ID" not found/);
  });
});

describe('OBELiX table', () => {
  const text = fs.readFileSync(path.join(SHARED_DATASETS, 'obelix', 'all.csv'), 'utf8');
  const entries = parseObelixTable(text);

  it('reads all 599 entries with the authors’ censoring convention', () => {
    // Therrien et al. 2025: 599 entries; 37 censored ("<1E-10" x36, "<1E-8" x1) set to 1e-15 S/cm.
    expect(entries).toHaveLength(599);
    const censored = entries.filter((e) => e.censored);
    expect(censored).toHaveLength(37);
    expect(censored.every((e) => e.log10_sigma === OBELIX_CENSORED_LOG10_SIGMA)).toBe(true);
    const jqc = entries.find((e) => e.id === 'jqc');
    expect(jqc?.log10_sigma).toBeCloseTo(Math.log10(1.58489e-6), 12);
  });

  it('becomes a pool with finite composition features for every entry', () => {
    const pool = obelixPool(entries);
    expect(pool.rows).toHaveLength(599);
    expect(new Set(pool.rows.map((r) => r.candidateId)).size).toBe(599);
    for (const r of pool.rows) {
      expect(r.features).toHaveLength(pool.featureNames.length);
      expect(r.features.every(Number.isFinite)).toBe(true);
    }
  });
});
