/**
 * `npm run bench -- campaign-proposal`: seconds for one campaign iteration's proposal (surrogate
 * fits included, as the ML activity runs it) by what the spec asks for, on one synthetic
 * problem in one process: a single objective (the batch fast path), one outcome constraint
 * (a second fit, and the generic believer loop), and ParEGO over 2, 3 and 4 objectives (one fit
 * of the scalar plus one per objective for the per-property predictions). Ratios are against
 * the single objective measured in the same run. Median and p95 over repeats. `cgcnn_cases`
 * times the CGCNN path's batch from fixed ensemble predictions: the q best scores against the
 * Kriging believer on the members' joint belief.
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import {
  MeasuredPoint,
  proposeCampaignBatch,
  type CampaignProposalInput,
} from '../../optimize/campaignProposal';
import type { EnsemblePrediction } from '../../models/surrogate';
import { fitColumnScaling } from '../../models/standardize';
import {
  proposeFromModelPredictions,
  type ModelPredictionProposal,
} from '../../optimize/modelPredictionProposal';
import { createRng } from '../../optimize/rng';
import { p95 } from './main';

export const USAGE = `usage: npm run bench -- campaign-proposal -- [options]
  --pool N          candidates (default 10000)
  --train N         measured candidates (default 100)
  --features D      (default 10)
  --q N             batch size (default 5)
  --repeats N       timed proposals per case (default 3)
  --surrogate K     gp | random_forest (default gp)`;

/** Four objectives and a constraint on the same inputs: smooth, pulling in different directions. */
const PROPERTIES: Record<string, (x: number[]) => number> = {
  y: (x) => -((x[0] - 0.7) ** 2) - (x[1] - 0.2) ** 2,
  z: (x) => (x[0] - 0.3) ** 2 + (x[2] - 0.5) ** 2,
  w: (x) => x[3] - x[1],
  v: (x) => Math.sin(4 * x[4]) * x[5],
  c: (x) => x[0] + x[1],
};

export async function campaignProposalBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      pool: { type: 'string', default: '10000' },
      train: { type: 'string', default: '100' },
      features: { type: 'string', default: '10' },
      q: { type: 'string', default: '5' },
      repeats: { type: 'string', default: '3' },
      surrogate: { type: 'string', default: 'gp' },
    },
  });
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const [m, n, d, q, repeats] = (['pool', 'train', 'features', 'q', 'repeats'] as const).map((k) =>
    int(k, a[k]),
  );
  if (d < 6) throw new Error(`--features must be at least 6 (the properties use x0..x5), got ${d}`);
  const surrogate = a.surrogate;
  if (surrogate !== 'gp' && surrogate !== 'random_forest')
    throw new Error(`--surrogate must be gp or random_forest, got ${surrogate}`);

  const rng = createRng(20261128);
  const row = () => Array.from({ length: d }, () => rng.next());
  const measured: MeasuredPoint[] = Array.from({ length: n }, () => {
    const x = row();
    return { x, values: Object.fromEntries(Object.entries(PROPERTIES).map(([k, f]) => [k, f(x)])) };
  });
  const pool = Array.from({ length: m }, row);
  const base: Omit<CampaignProposalInput, 'objectives' | 'constraints' | 'seed'> = {
    measured,
    X_pool: pool,
    X_pending: [],
    q,
    surrogate: { kind: surrogate },
    acquisition: { kind: 'log_ei' },
  };
  const objective = (property: string, direction: 'maximize' | 'minimize' = 'maximize') => ({
    property,
    direction,
  });
  const cases: Record<string, Pick<CampaignProposalInput, 'objectives' | 'constraints'>> = {
    single_objective: { objectives: [objective('y')], constraints: [] },
    one_constraint: {
      objectives: [objective('y')],
      constraints: [{ property: 'c', max: 1, surrogate: { kind: surrogate } }],
    },
    parego_2: { objectives: [objective('y'), objective('z', 'minimize')], constraints: [] },
    parego_3: { objectives: [objective('y'), objective('z', 'minimize'), objective('w')], constraints: [] },
    parego_4: {
      objectives: [objective('y'), objective('z', 'minimize'), objective('w'), objective('v')],
      constraints: [],
    },
  };
  const log = (s: string) => process.stderr.write(`[bench campaign-proposal] ${s}\n`);
  const loadBefore = os.loadavg()[0];
  const seconds = timeInterleaved(
    Object.fromEntries(
      Object.entries(cases).map(([name, c]) => [
        name,
        (r: number) => {
          const proposal = proposeCampaignBatch({ ...base, ...c, seed: 1000 + r });
          if (proposal.indices.length !== q)
            throw new Error(`${name}: proposed ${proposal.indices.length}, not ${q}`);
        },
      ]),
    ),
    repeats,
    log,
  );
  const cgcnnSeconds = timeCgcnnProposals(measured, pool, q, repeats, log);
  return {
    benchmark: 'campaign-proposal',
    settings: { pool: m, train: n, features: d, q, repeats, surrogate, acquisition: 'log_ei' },
    machine: {
      cpus: os.availableParallelism(),
      load_average_1m: [round(loadBefore), round(os.loadavg()[0])],
    },
    cases: timings(seconds, 'single_objective', 'ratio_to_single_objective'),
    // The CGCNN path from fixed 5-member predictions (training and prediction excluded): the q
    // best scores against the ensemble believer, ratios to the q best in the same run.
    cgcnn_cases: timings(cgcnnSeconds, 'cgcnn_top_q', 'ratio_to_top_q'),
  };
}

/**
 * Seconds of each case per repeat, interleaved (case by case within each repeat) so load drift
 * hits every case alike. A case throws if its result is not what it should be.
 */
function timeInterleaved(
  cases: Record<string, (repeat: number) => void>,
  repeats: number,
  log: (s: string) => void,
): Record<string, number[]> {
  const seconds: Record<string, number[]> = {};
  for (let r = 0; r < repeats; r += 1) {
    for (const [name, run] of Object.entries(cases)) {
      const t0 = performance.now();
      run(r);
      const s = (performance.now() - t0) / 1000;
      (seconds[name] ??= []).push(s);
      log(`repeat ${r + 1}/${repeats} ${name}: ${s.toFixed(3)} s`);
    }
  }
  return seconds;
}

/** Median and p95 per case, and its median over the baseline case's. */
function timings(seconds: Record<string, number[]>, baseline: string, ratioKey: string) {
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const base = median(seconds[baseline]);
  return Object.fromEntries(
    Object.entries(seconds).map(([name, xs]) => [
      name,
      { median_s: round(median(xs)), p95_s: round(p95(xs)), [ratioKey]: round(median(xs) / base) },
    ]),
  );
}

/**
 * proposeFromModelPredictions on synthetic 5-member ensemble predictions of y (maximized) and z
 * (minimized) over the pool: members dropped (the q best scores) or kept (the believer).
 */
function timeCgcnnProposals(
  measured: MeasuredPoint[],
  pool: number[][],
  q: number,
  repeats: number,
  log: (s: string) => void,
): Record<string, number[]> {
  const rng = createRng(7);
  const ensemble = (f: (x: number[]) => number): EnsemblePrediction => {
    const deviations = Array.from({ length: 5 }, () => Float64Array.from(pool, () => 0.05 * rng.normal()));
    return {
      mean: Float64Array.from(pool, (x) => f(x) + 0.02 * rng.normal()),
      std: Float64Array.from(pool, (_, i) => Math.sqrt(deviations.reduce((s, d) => s + d[i] ** 2, 0) + 1e-4)),
      deviations,
    };
  };
  const y = ensemble(PROPERTIES.y);
  const z = ensemble(PROPERTIES.z);
  const membersDropped = (p: EnsemblePrediction) => ({ mean: p.mean, std: p.std });
  const common = {
    X_pool: pool,
    measured,
    constraints: [],
    q,
    seed: 11,
    acquisition: { kind: 'log_ei' as const },
    context: { inputScaling: fitColumnScaling(pool) },
  };
  const one = [{ property: 'y', direction: 'maximize' as const }];
  const two = [...one, { property: 'z', direction: 'minimize' as const }];
  const cases: Record<string, () => ModelPredictionProposal> = {
    cgcnn_top_q: () =>
      proposeFromModelPredictions({ ...common, objectives: one, predictions: [membersDropped(y)] }),
    cgcnn_believer: () => proposeFromModelPredictions({ ...common, objectives: one, predictions: [y] }),
    cgcnn_parego_2_top_q: () =>
      proposeFromModelPredictions({
        ...common,
        objectives: two,
        predictions: [membersDropped(y), membersDropped(z)],
      }),
    cgcnn_parego_2_believer: () =>
      proposeFromModelPredictions({ ...common, objectives: two, predictions: [y, z] }),
  };
  return timeInterleaved(
    Object.fromEntries(
      Object.entries(cases).map(([name, run]) => [
        name,
        () => {
          const rule = name.endsWith('believer') ? 'believer' : 'top_q';
          const { batchRule } = run();
          if (batchRule !== rule) throw new Error(`${name}: batch rule ${batchRule}, not ${rule}`);
        },
      ]),
    ),
    repeats,
    log,
  );
}

const round = (v: number) => Math.round(v * 1000) / 1000;
