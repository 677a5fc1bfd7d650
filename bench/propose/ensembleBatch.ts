/**
 * `npm run bench -- ensemble-batch`: what the Kriging believer on a deep ensemble's joint belief
 * (optimize/ensembleBelief) changes in a CGCNN batch, against the q best acquisition scores.
 *
 * A CGCNN ensemble is trained on OBELiX's official train split (or a seeded subset of it, the
 * size of an early campaign), and proposes one batch of q from the 67 test entries, maximizing
 * log10 σ with EI from the best training value. Every batch rule picks from the same prediction:
 * top-q, and the believer at several shrinkages λ; `greedy` is the q best predicted means, and
 * `random` what a random batch of q scores on average (2,000 draws). One batch measures what a
 * rule picks, not what a campaign of several retrained iterations finds. Reported per batch: the true log10 σ of the
 * picks (mean, best, how many of the pool's ten best), and how varied they are: distinct
 * structural families (OBELiX's own labels), distinct chemical systems, and the mean pairwise
 * distance of their standardized composition features.
 */
import * as fs from 'node:fs';
import { selectBackend } from '../../ml/backends/select';
import { cgcnnConfig } from '../../ml/cgcnn/config';
import { CgcnnDeepEnsemble } from '../../ml/ensemble/deepEnsemble';
import { progressBar } from '../../ml/training/progressBar';
import { Composition } from '../../materials/composition';
import { fitColumnScaling } from '../../models/standardize';
import { EnsembleBelief } from '../../optimize/ensembleBelief';
import { selectFromPrediction, topScores } from '../../optimize/predictionBatch';
import { createRng, shuffled } from '../../optimize/rng';
import { loadObelixCifSplit, obelixEntries } from '../ml/obelixData';

export const USAGE = `npm run bench -- ensemble-batch -- [--seeds 0,1,2] [--train-size 254] [--q 5,10]
    [--shrinkage 0,0.25,0.5,0.75] [--members 5] [--epochs 10] [--out file.json]
  One CGCNN ensemble per seed (5 × 10 epochs on the 254 training crystals: ~5 min on 2 cores),
  trained on --train-size entries of OBELiX's train split (a seeded subset when smaller), then one
  batch of each q from the 67 test entries per rule: top-q EI, and the Kriging believer at each λ.`;

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const list = (argv: string[], name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return (at >= 0 && argv[at + 1] ? argv[at + 1] : fallback).split(',').map(Number);
};

const QUALITY_MEASURES = [
  'mean_log10_sigma',
  'best_log10_sigma',
  'top10_hits',
  'families',
  'chemical_systems',
  'mean_pairwise_feature_distance',
] as const;

/** Each measure's mean over batches (random draws, or seeds). */
function meanQuality(batches: readonly BatchQuality[]): Record<(typeof QUALITY_MEASURES)[number], number> {
  const mean = (key: (typeof QUALITY_MEASURES)[number]) =>
    round(batches.reduce((s, b) => s + b[key], 0) / batches.length);
  return Object.fromEntries(QUALITY_MEASURES.map((key) => [key, mean(key)])) as Record<
    (typeof QUALITY_MEASURES)[number],
    number
  >;
}

interface BatchQuality {
  picks: string[];
  mean_log10_sigma: number;
  best_log10_sigma: number;
  top10_hits: number;
  families: number;
  chemical_systems: number;
  mean_pairwise_feature_distance: number;
}

export async function ensembleBatchBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const seeds = list(argv, 'seeds', '0,1,2');
  const qs = list(argv, 'q', '5,10');
  const shrinkages = list(argv, 'shrinkage', '0,0.25,0.5,0.75');
  const [trainSize] = list(argv, 'train-size', '254');
  const [members] = list(argv, 'members', '5');
  const [epochs] = list(argv, 'epochs', '10');
  const backend = await selectBackend();
  const config = cgcnnConfig({});
  const { train, test } = loadObelixCifSplit(config.graph);
  const entries = obelixEntries();
  const scaling = fitColumnScaling(test.features);
  const z = test.features.map((row) => row.map((v, j) => (v - scaling.mean[j]) / scaling.scale[j]));
  const top10 = new Set(
    test.ids
      .map((_, i) => i)
      .sort((a, b) => test.y[b] - test.y[a])
      .slice(0, 10),
  );
  const quality = (picks: number[]): BatchQuality => {
    const ys = picks.map((i) => test.y[i]);
    let distance = 0;
    let pairs = 0;
    for (let a = 0; a < picks.length; a++)
      for (let b = a + 1; b < picks.length; b++, pairs++)
        distance += Math.sqrt(z[picks[a]].reduce((s, v, j) => s + (v - z[picks[b]][j]) ** 2, 0));
    const entry = (i: number) => entries.get(test.ids[i]);
    return {
      picks: picks.map((i) => test.ids[i]),
      mean_log10_sigma: round(ys.reduce((s, y) => s + y, 0) / ys.length),
      best_log10_sigma: round(Math.max(...ys)),
      top10_hits: picks.filter((i) => top10.has(i)).length,
      families: new Set(picks.map((i) => entry(i)?.family ?? test.ids[i])).size,
      chemical_systems: new Set(
        picks.map((i) =>
          Composition.parse(entry(i)?.reducedFormula ?? '')
            .elements.sort()
            .join('-'),
        ),
      ).size,
      mean_pairwise_feature_distance: round(pairs > 0 ? distance / pairs : 0),
    };
  };

  // What a batch drawn at random from the pool scores: means over 2,000 seeded draws (no picks).
  const randomBaseline = (q: number, seed: number): BatchQuality => {
    const rng = createRng(1000 + seed);
    const draws = Array.from({ length: 2000 }, () =>
      quality(
        shuffled(
          test.ids.map((_, i) => i),
          rng,
        ).slice(0, q),
      ),
    );
    return { picks: [], ...meanQuality(draws) };
  };

  const runs: {
    seed: number;
    train_size: number;
    train_seconds: number;
    batches: Record<string, Record<string, BatchQuality>>;
  }[] = [];
  for (const seed of seeds) {
    const rows = shuffled(
      train.ids.map((_, i) => i),
      createRng(seed + 1),
    ).slice(0, Math.min(trainSize, train.ids.length));
    const started = Date.now();
    const bar = progressBar();
    const ensemble = new CgcnnDeepEnsemble(
      {
        members,
        config,
        training: { epochs, batchSize: 32, learningRate: 0.005, validationFraction: 0.1, patience: 5, seed },
      },
      { onProgress: (_member, p) => bar(p) },
    );
    const ys = rows.map((i) => train.y[i]);
    await ensemble.fit(
      rows.map((i) => train.graphs[i]),
      ys,
    );
    const prediction = await ensemble.predictJoint(test.graphs);
    const incumbent = Math.max(...ys);
    const batches: Record<string, Record<string, BatchQuality>> = {};
    for (const q of qs) {
      const rules: Record<string, BatchQuality> = {
        random: randomBaseline(q, seed),
        // The q best predicted means: whether the ensemble ranks the pool at all.
        greedy: quality(topScores(prediction.mean, q)),
        top_q: quality(
          selectFromPrediction(prediction, q, { kind: 'ei' }, incumbent, createRng(seed)).indices,
        ),
      };
      for (const lambda of shrinkages) {
        const belief = new EnsembleBelief(prediction, lambda);
        const picks = selectFromPrediction(
          prediction,
          q,
          { kind: 'ei' },
          incumbent,
          createRng(seed),
          undefined,
          belief,
        );
        rules[`believer_${lambda}`] = quality(picks.indices);
      }
      batches[`q${q}`] = rules;
    }
    runs.push({
      seed,
      train_size: rows.length,
      train_seconds: round((Date.now() - started) / 1000, 1),
      batches,
    });
    process.stderr.write(`[ensemble-batch] seed ${seed}: ${JSON.stringify(batches)}\n`);
  }
  // Means over seeds, per q and rule.
  const summary: Record<string, Record<string, Record<string, number>>> = {};
  for (const q of qs) {
    summary[`q${q}`] = {};
    for (const rule of Object.keys(runs[0].batches[`q${q}`]))
      summary[`q${q}`][rule] = meanQuality(runs.map((r) => r.batches[`q${q}`][rule]));
  }
  const report = {
    benchmark: 'ensemble-batch',
    dataset:
      'OBELiX (Therrien et al. 2025, CC BY 4.0), official split, entries with CIFs; pool: the 67 test entries',
    objective: 'maximize log10 σ (S/cm); EI from the best training value',
    backend: backend.backend,
    members,
    epochs,
    train_size: Math.min(trainSize, train.ids.length),
    pool: test.ids.length,
    summary,
    runs,
  };
  const at = argv.indexOf('--out');
  if (at >= 0 && argv[at + 1]) fs.writeFileSync(argv[at + 1], JSON.stringify(report, null, 2) + '\n');
  return report;
}
