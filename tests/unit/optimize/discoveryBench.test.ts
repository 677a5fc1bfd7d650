import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simulateCampaign } from '../../../bench/discovery/campaign';
import { compactReport, discoveryBenchmark } from '../../../bench/discovery/main';

/** A tiny labelled pool: a smooth 3-D objective on a seeded design, written as CSV. */
function writePool(dir: string): string {
  const rows = ['id,a,b,c,target'];
  let s = 1;
  const u = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 60; i++) {
    const [a, b, c] = [u(), u(), u()];
    rows.push(`c${i},${a},${b},${c},${-((a - 0.7) ** 2) - (b - 0.2) ** 2 + 0.1 * c}`);
  }
  const file = path.join(dir, 'pool.csv');
  fs.writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

describe('discovery benchmark harness (end to end, in-process)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('simulateCampaign measures seeds first, never repeats, and stops at the budget', () => {
    const X = Array.from({ length: 20 }, (_, i) => [i / 20, ((i * 7) % 20) / 20]);
    const y = X.map(([a, b]) => a - b);
    const settings = { q: 3, budget: 11, noiseStd: 0.01 };
    const order = simulateCampaign(
      X,
      y,
      [0, 5],
      { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'log_ei' } },
      settings,
      4,
    );
    expect(order.slice(0, 2)).toEqual([0, 5]);
    expect(order).toHaveLength(11);
    expect(new Set(order).size).toBe(11);
    expect(simulateCampaign(X, y, [0, 5], { kind: 'random' }, settings, 4)).toHaveLength(11);
  });

  it('runs 2 seeds of GP, RF and random on a CSV pool and writes JSON + SVG', async () => {
    const report = await discoveryBenchmark([
      '--pool',
      writePool(dir),
      '--id-column',
      'id',
      '--target',
      'target',
      '--seeds',
      '2',
      '--methods',
      'random,gp_logei,rf_ei',
      '--seed-count',
      '4',
      '--q',
      '2',
      '--budget',
      '30',
      '--top',
      '0.1',
      '--parallel',
      '1',
      '--out',
      dir,
      '--quiet',
    ]);
    const methods = report.methods as Record<string, Record<string, unknown>>;
    expect(Object.keys(methods).sort()).toEqual(['gp_logei', 'random', 'rf_ei']);
    for (const m of Object.values(methods)) {
      for (const key of ['experiments_to_50pct', 'experiments_to_80pct', 'af_50', 'ef_30'])
        expect(m).toHaveProperty(key);
      expect(m.top_pct_mean).toHaveLength(30);
    }
    // A smooth objective: the GP finds half the top 10 % well before random's ~31 draws.
    expect(methods.gp_logei.experiments_to_50pct as number).toBeLessThan(20);
    const files = report.files as { json: string; svg: string };
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8')).methods.gp_logei.seeds).toBe(2);
    expect(fs.readFileSync(files.svg, 'utf8')).toMatch(/^<svg[\s\S]*gp_logei[\s\S]*<\/svg>\n$/);
    expect(JSON.stringify(compactReport(report))).not.toMatch(/top_pct_mean|per_seed_orders/);
  }, 60_000);

  it('rejects unknown methods and a missing pool with the usage', async () => {
    await expect(discoveryBenchmark(['--seeds', '2'])).rejects.toThrow(/--pool is required/);
    await expect(discoveryBenchmark(['--pool', 'obelix', '--methods', 'svm'])).rejects.toThrow(
      /unknown method svm/,
    );
  });
});
