/**
 * `npm run bench -- discovery -- --pool <csv|obelix> --seeds 30 [...]`: simulated campaigns of
 * several methods over one labelled pool, same seed experiments per seed for every method,
 * then Liang et al. (2021) metrics as JSON (last line of stdout, and a file) plus an SVG of
 * Top%(i) with a band across seeds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { topCandidates } from '../../optimize/discoveryMetrics';
import { chooseSeedIndices } from '../../optimize/seeds';
import { botorchUnavailableReason } from './botorch';
import { BOTORCH_METHOD, CRUCIBLE_METHODS, DEFAULT_METHODS, isKnownMethod } from './methods';
import { loadBenchPool } from './pool';
import { topPercentSvg } from './plot';
import { MethodSummary, randomReference, summarizeMethod } from './summary';
import { CampaignTask, defaultParallelism, runTasks } from './tasks';

export const USAGE = `usage: npm run bench -- discovery -- --pool <obelix | file.csv> [options]
  --seeds N            campaigns per method (default 10), seeds first-seed..first-seed+N-1
  --first-seed N       (default 0)
  --methods a,b        default ${DEFAULT_METHODS.join(',')}; also ${Object.keys(CRUCIBLE_METHODS)
    .filter((m) => !DEFAULT_METHODS.includes(m))
    .join(', ')}
  --seed-count N       seed experiments before the first model (default 10)
  --seed-method M      random | kmeans (default random)
  --q N                batch size (default 5)
  --budget N           experiments per campaign, seeds included (default 100)
  --noise S            std of Gaussian noise the simulated lab adds (default 0)
  --top F              top fraction that counts as a discovery (default 0.05)
  --parallel N         worker threads (default: CPU count)
  --out DIR            results folder (default .crucible/bench)
  --reuse F1,F2        take the campaigns of methods already in earlier reports with the same
                       pool and settings, and these seeds among theirs (e.g. the slow BoTorch
                       runs) instead of rerunning them
  --id-column C --target C --features a,b --minimize   for CSV pools`;

export async function discoveryBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      pool: { type: 'string' },
      seeds: { type: 'string', default: '10' },
      'first-seed': { type: 'string', default: '0' },
      methods: { type: 'string', default: DEFAULT_METHODS.join(',') },
      'seed-count': { type: 'string', default: '10' },
      'seed-method': { type: 'string', default: 'random' },
      q: { type: 'string', default: '5' },
      budget: { type: 'string', default: '100' },
      noise: { type: 'string', default: '0' },
      top: { type: 'string', default: '0.05' },
      parallel: { type: 'string' },
      out: { type: 'string', default: path.join('.crucible', 'bench') },
      'id-column': { type: 'string' },
      target: { type: 'string' },
      features: { type: 'string' },
      minimize: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      reuse: { type: 'string' },
    },
  });
  if (!a.pool) throw new Error(`--pool is required\n${USAGE}`);
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const seeds = int('seeds', a.seeds, 1);
  const firstSeed = int('first-seed', a['first-seed'], 0);
  const seedCount = int('seed-count', a['seed-count'], 1);
  const q = int('q', a.q, 1);
  const budget = int('budget', a.budget, 1);
  const noiseStd = Number(a.noise);
  const topFraction = Number(a.top);
  if (!(noiseStd >= 0)) throw new Error(`--noise must be >= 0, got ${a.noise}`);
  const seedMethod = a['seed-method'];
  if (seedMethod !== 'random' && seedMethod !== 'kmeans')
    throw new Error(`--seed-method must be random or kmeans, got ${seedMethod}`);
  const methods = a.methods.split(',').filter(Boolean);
  for (const m of methods) if (!isKnownMethod(m)) throw new Error(`unknown method ${m}\n${USAGE}`);
  const parallel = a.parallel ? int('parallel', a.parallel, 1) : defaultParallelism();
  const log = (s: string) => {
    if (!a.quiet) process.stderr.write(`[bench discovery] ${s}\n`);
  };

  const pool = await loadBenchPool({
    pool: a.pool,
    idColumn: a['id-column'],
    target: a.target,
    features: a.features?.split(','),
    minimize: a.minimize,
  });
  const N = pool.X.length;
  if (budget > N || seedCount >= budget) throw new Error(`need seed-count < budget <= pool size (${N})`);
  const top = topCandidates(pool.y, topFraction);
  const seedList = Array.from({ length: seeds }, (_, k) => firstSeed + k);
  const skipped: Record<string, string> = {};
  const settingsRecord = {
    seeds: seedList,
    seed_count: seedCount,
    seed_method: seedMethod,
    q,
    budget,
    noise_std: noiseStd,
  };
  const reuseFiles = a.reuse ? a.reuse.split(',').filter(Boolean) : [];
  const reused = Object.assign(
    {},
    ...reuseFiles.map((f) => reusableRuns(f, N, topFraction, settingsRecord)),
  ) as ReturnType<typeof reusableRuns>;
  const runnable = methods.filter((m) => {
    if (reused[m]) return true;
    const unavailable = m === BOTORCH_METHOD ? botorchUnavailableReason() : null;
    if (unavailable) {
      skipped[m] = unavailable;
      return false;
    }
    return true;
  });
  const seedIndices = new Map(seedList.map((s) => [s, chooseSeedIndices(pool.X, seedCount, s, seedMethod)]));
  const tasks: CampaignTask[] = runnable
    .filter((m) => !reused[m])
    .flatMap((method) =>
      seedList.map((seed) => ({ method, seed, seedIndices: seedIndices.get(seed) as number[] })),
    );
  log(
    `${pool.name}: N=${N}, top ${top.size}; ${runnable.join(', ')} x ${seeds} seeds on ${parallel} threads`,
  );
  const t0 = performance.now();
  const results = await runTasks(
    { X: pool.X, y: pool.y, settings: { q, budget, noiseStd } },
    tasks,
    parallel,
    (r, done) =>
      log(
        `${done}/${tasks.length} ${r.method} seed ${r.seed}: ${r.wall_s.toFixed(1)} s${r.error ? ` ERROR ${r.error}` : ''}`,
      ),
  );
  const wall = (performance.now() - t0) / 1000;
  for (const [method, r] of Object.entries(reused)) {
    if (!runnable.includes(method)) continue;
    seedList.forEach((seed, k) =>
      results.push({ method, seed, order: r.orders[k], wall_s: r.wall_s / seedList.length }),
    );
  }

  const summaries: Record<string, MethodSummary> = {};
  const errors: Record<string, string[]> = {};
  for (const method of runnable) {
    const mine = results.filter((r) => r.method === method);
    const failed = mine.filter((r) => r.error);
    if (failed.length) errors[method] = failed.map((r) => `seed ${r.seed}: ${r.error}`);
    const ok = mine.filter((r) => !r.error);
    if (ok.length === 0) continue;
    summaries[method] = summarizeMethod(
      ok.map((r) => r.order),
      top,
      N,
      ok.reduce((s, r) => s + r.wall_s, 0),
    );
  }
  const outDir = path.resolve(a.out);
  fs.mkdirSync(outDir, { recursive: true });
  const stem = `discovery-${path.basename(pool.name).replace(/\.csv$/, '')}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const svgPath = path.join(outDir, `${stem}.svg`);
  const jsonPath = path.join(outDir, `${stem}.json`);
  fs.writeFileSync(
    svgPath,
    topPercentSvg(
      Object.entries(summaries).map(([name, s]) => ({ name, mean: s.top_pct_mean, std: s.top_pct_std })),
      N,
      `${pool.name}: Top% of the top ${Math.round(topFraction * 100)} % (N=${N}, ${seeds} seeds, q=${q})`,
    ),
  );
  const report = {
    benchmark: 'discovery',
    pool: { name: pool.name, size: N, top_fraction: topFraction, top_count: top.size },
    settings: { ...settingsRecord, parallel },
    reused_from: a.reuse
      ? {
          files: reuseFiles.map((f) => path.resolve(f)),
          methods: Object.keys(reused).filter((m) => runnable.includes(m)),
        }
      : undefined,
    random_expectation: randomReference(N, top.size),
    methods: summaries,
    skipped,
    errors,
    wall_s: Math.round(wall * 10) / 10,
    files: { json: jsonPath, svg: svgPath },
    per_seed_orders: Object.fromEntries(
      runnable.map((m) => [m, results.filter((r) => r.method === m && !r.error).map((r) => r.order)]),
    ),
  };
  fs.writeFileSync(jsonPath, JSON.stringify(report, null, 1) + '\n');
  return report;
}

/**
 * Campaign orders of an earlier report, by method, when its pool and settings match exactly,
 * except that its seeds may be a superset: a campaign depends only on its own seed, so seeds
 * 0–2 of a 10-seed report are the runs a 3-seed report would make.
 */
function reusableRuns(
  file: string,
  poolSize: number,
  topFraction: number,
  settings: Record<string, unknown>,
): Record<string, { orders: number[][]; wall_s: number }> {
  const old = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pool: { size: number; top_fraction: number };
    settings: Record<string, unknown>;
    methods: Record<string, MethodSummary>;
    per_seed_orders: Record<string, number[][]>;
  };
  const {
    parallel: _p,
    seeds: oldSeeds,
    ...oldSettings
  } = old.settings as Record<string, unknown> & {
    seeds: number[];
  };
  const { seeds: newSeeds, ...newSettings } = settings as Record<string, unknown> & { seeds: number[] };
  if (old.pool.size !== poolSize || old.pool.top_fraction !== topFraction)
    throw new Error(`--reuse ${file}: different pool (size ${old.pool.size}, top ${old.pool.top_fraction})`);
  if (JSON.stringify(oldSettings) !== JSON.stringify(newSettings))
    throw new Error(`--reuse ${file}: different settings ${JSON.stringify(old.settings)}`);
  const at = newSeeds.map((seed) => oldSeeds.indexOf(seed));
  if (at.some((k) => k < 0))
    throw new Error(`--reuse ${file}: has seeds ${oldSeeds.join(',')}, not all of ${newSeeds.join(',')}`);
  const out: Record<string, { orders: number[][]; wall_s: number }> = {};
  for (const [m, orders] of Object.entries(old.per_seed_orders)) {
    // A method with a failed seed has fewer orders than seeds: which is which is unknown.
    const seedsOk = Array.isArray(orders) && orders.length === oldSeeds.length;
    if (seedsOk && old.methods[m])
      out[m] = {
        orders: at.map((k) => orders[k]),
        wall_s: (old.methods[m].wall_s * newSeeds.length) / oldSeeds.length,
      };
  }
  return out;
}

/** The report without per-step curves and orders: what the last stdout line carries. */
export function compactReport(report: Record<string, unknown>): Record<string, unknown> {
  const methods = report.methods as Record<string, MethodSummary>;
  const { per_seed_orders: _o, ...rest } = report;
  return {
    ...rest,
    methods: Object.fromEntries(
      Object.entries(methods).map(([k, s]) => {
        const { top_pct_mean: _m, top_pct_std: _s, ...keep } = s;
        return [k, keep];
      }),
    ),
  };
}
