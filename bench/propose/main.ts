/**
 * `npm run bench -- propose`: seconds to propose one batch (q = 10) from 10,000 and 100,000
 * candidates, 64 features, 1,000 training points, for the GP and the random forest, p95 over
 * repeats; beside the same selection in Python (bench/propose/reference.py, the MD venv).
 *
 * What is timed is the proposal given a fitted surrogate: scoring the pool and choosing the
 * batch (Kriging believer), as a campaign iteration does after its fit. Fitting is timed
 * separately (`fit_s`): the GP's hyperparameters are fitted (MAP, as createSurrogate does) on a
 * 300-row subset — a full ML-II search on 1,000 rows in plain TypeScript takes minutes — then
 * the GP is conditioned on all 1,000 rows with them; the Python GP gets the same
 * hyperparameters. Data: a fixed synthetic problem (seeded), written once to binary files that
 * both sides read.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GaussianProcess } from '../../models/gaussianProcess';
import { RandomForest } from '../../models/randomForest';
import { fitColumnScaling } from '../../models/standardize';
import type { Surrogate } from '../../models/surrogate';
import { AcquisitionSpec } from '../../optimize/acquisition';
import { proposeBatch } from '../../optimize/proposeBatch';
import { createRng } from '../../optimize/rng';
import { botorchPython, botorchUnavailableReason } from '../discovery/botorch';

export const USAGE = `usage: npm run bench -- propose -- [options]
  --sizes a,b        candidate pool sizes (default 10000,100000)
  --train N          training points (default 1000)
  --features D       (default 64)
  --q N              batch size (default 10)
  --repeats N        timed proposals per surrogate and size (default 5; p95 = nearest rank)
  --acquisition K    ei | log_ei | pi | ucb | greedy (default log_ei)
  --surrogates a,b   gp,random_forest (default both)
  --no-reference     skip the Python reference`;

const REFERENCE_SCRIPT = path.join(__dirname, 'reference.py');

export async function proposeBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      train: { type: 'string', default: '1000' },
      features: { type: 'string', default: '64' },
      q: { type: 'string', default: '10' },
      repeats: { type: 'string', default: '5' },
      acquisition: { type: 'string', default: 'log_ei' },
      surrogates: { type: 'string', default: 'gp,random_forest' },
      'no-reference': { type: 'boolean', default: false },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const sizes = a.sizes.split(',').map((v) => int('sizes', v));
  const n = int('train', a.train);
  const d = int('features', a.features);
  const q = int('q', a.q);
  const repeats = int('repeats', a.repeats);
  const kind = a.acquisition as AcquisitionSpec['kind'];
  if (!['ei', 'log_ei', 'pi', 'ucb', 'greedy'].includes(kind))
    throw new Error(`--acquisition must be ei, log_ei, pi, ucb or greedy, got ${kind}`);
  const surrogates = a.surrogates.split(',').filter(Boolean);
  for (const s of surrogates)
    if (s !== 'gp' && s !== 'random_forest') throw new Error(`unknown surrogate ${s} (gp, random_forest)`);
  const log = (s: string) => process.stderr.write(`[bench propose] ${s}\n`);
  const loadBefore = os.loadavg()[0];

  const maxM = Math.max(...sizes);
  const data = syntheticProblem(n, maxM, d, 20261127);
  const acquisition: AcquisitionSpec = { kind };
  const crucible: Record<string, Record<string, unknown>> = {};
  const gpHyper: { lengthscales: number[]; signalVariance: number; noiseVariance: number }[] = [];
  const scalingRows = [...data.X, ...data.pool];
  for (const name of surrogates) {
    const t0 = performance.now();
    let model: Surrogate;
    let hyperFitS: number | undefined;
    if (name === 'gp') {
      const inputScaling = fitColumnScaling(scalingRows);
      const sub = new GaussianProcess({ lengthscalePrior: 'dimension_scaled', inputScaling }, 0);
      sub.fit(data.X.slice(0, 300), data.y.slice(0, 300));
      hyperFitS = (performance.now() - t0) / 1000;
      gpHyper.push(sub.hyperparameters);
      model = new GaussianProcess({ hyperparameters: sub.hyperparameters, inputScaling }, 0);
    } else {
      model = new RandomForest({}, 0);
    }
    const t1 = performance.now();
    model.fit(data.X, data.y);
    const fitS = (performance.now() - t1) / 1000;
    log(
      `${name}: fit ${fitS.toFixed(2)} s${hyperFitS !== undefined ? ` (hyperparameters ${hyperFitS.toFixed(1)} s on 300 rows)` : ''}`,
    );
    const entry: Record<string, unknown> = { fit_s: round(fitS) };
    if (hyperFitS !== undefined) entry.hyperparameter_fit_s_300_rows = round(hyperFitS);
    // One untimed proposal on 2,000 candidates first: a campaign worker is a long-running, warm
    // process, so JIT compilation is not part of what a proposal costs there.
    proposeBatch({
      X_train: data.X,
      y_train: data.y,
      X_pool: data.pool.slice(0, Math.min(2000, maxM)),
      q,
      surrogate: name === 'gp' ? { kind: 'gp' } : { kind: 'random_forest' },
      acquisition,
      seed: 999,
      model,
    });
    for (const m of sizes) {
      const X_pool = data.pool.slice(0, m);
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t = performance.now();
        proposeBatch({
          X_train: data.X,
          y_train: data.y,
          X_pool,
          q,
          surrogate: name === 'gp' ? { kind: 'gp' } : { kind: 'random_forest' },
          acquisition,
          seed: r,
          model,
        });
        times.push((performance.now() - t) / 1000);
        log(`${name} m=${m} repeat ${r + 1}/${repeats}: ${times.at(-1)?.toFixed(3)} s`);
      }
      entry[`p95_s_${label(m)}`] = round(p95(times));
      entry[`times_s_${label(m)}`] = times.map(round);
    }
    crucible[name] = entry;
  }

  let reference: Record<string, unknown> = { skipped: '--no-reference' };
  if (!a['no-reference']) {
    const unavailable = botorchUnavailableReason();
    if (unavailable) {
      reference = { skipped: unavailable };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-propose-'));
      try {
        fs.writeFileSync(path.join(dir, 'X.bin'), Buffer.from(Float64Array.from(data.X.flat()).buffer));
        fs.writeFileSync(path.join(dir, 'y.bin'), Buffer.from(Float64Array.from(data.y).buffer));
        fs.writeFileSync(path.join(dir, 'pool.bin'), Buffer.from(Float64Array.from(data.pool.flat()).buffer));
        const spec = {
          dir,
          n,
          d,
          m_max: maxM,
          sizes,
          q,
          repeats,
          acquisition: kind,
          surrogates,
          gp_hyperparameters: gpHyper[0] ?? null,
          scaling: fitColumnScaling(scalingRows),
        };
        log('reference: BoTorch / scikit-learn + numpy (bench/propose/reference.py)');
        const out = execFileSync(botorchPython(), [REFERENCE_SCRIPT], {
          input: JSON.stringify(spec),
          encoding: 'utf8',
          maxBuffer: 1 << 26,
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        reference = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return {
    benchmark: 'propose',
    settings: { sizes, train: n, features: d, q, repeats, acquisition: kind, threads: 1 },
    // Timings are wall-clock on a shared machine: the 1-minute load average before and after.
    machine: {
      cpus: os.availableParallelism(),
      load_average_1m: [round(loadBefore), round(os.loadavg()[0])],
    },
    crucible,
    reference,
    targets: { p95_s_10k: 1, p95_s_100k: 10 },
  };
}

/** Inputs in [0, 1]^d (composition-fraction-like), a smooth target on a few of them plus noise. */
function syntheticProblem(n: number, m: number, d: number, seed: number) {
  const rng = createRng(seed);
  const row = () => Array.from({ length: d }, () => rng.next());
  const f = (x: number[]) =>
    Math.sin(6 * x[0]) + Math.cos(4 * x[1] * x[2]) - 2 * (x[3] - 0.5) ** 2 + 0.5 * x[4] * x[5];
  const X = Array.from({ length: n }, row);
  const y = X.map((x) => f(x) + 0.05 * rng.normal());
  const pool = Array.from({ length: m }, row);
  return { X, y, pool };
}

function label(m: number): string {
  return m % 1000 === 0 ? `${m / 1000}k` : String(m);
}

/** Nearest-rank 95th percentile. */
export function p95(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
