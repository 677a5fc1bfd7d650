/**
 * `npm run bench -- accuracy`: a CGCNN deep ensemble trained on OBELiX's official train split
 * and scored on its test split (entries with CIFs, 254 / 67; MAE of log10 σ in S/cm, censored
 * values at −15 as the authors' code has them), beside a scikit-learn random forest on the
 * composition features of the same entries and split (bench/ml/rf_baseline.py, run by this
 * script) and the train-mean predictor. Also the ensemble's calibration on the test split:
 * coverage of the central 68 % and 95 % Gaussian intervals mean ± z·std, and the Gaussian
 * negative log likelihood, with the spread σ-scaled on a holdout of the training split (the
 * ensemble's default) and raw. Reported, not timed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../ml/backends/select';
import { cgcnnConfig, VARIANCE_HEAD_BETA } from '../../ml/cgcnn/config';
import { intervalCalibration } from '../../ml/ensemble/calibration';
import { CgcnnDeepEnsemble } from '../../ml/ensemble/deepEnsemble';
import { progressBar } from '../../ml/training/progressBar';
import { architectureName, parseArchitecture } from './hyperSearch';
import { loadObelixCifSplit } from './obelixData';

export const USAGE = `npm run bench -- accuracy -- [--members 3] [--epochs 5] [--patience 5] [--batch 32]
    [--lr 0.005] [--seed 0] [--rf-trees 500] [--variance-head [--beta 0.5]]
    [--calibration 0.1] [--folds] [--arch a64-h128-c3-n1] [--ordered [--ordered-max-atoms 200]]
    [--out file.json]
  The defaults are a quick run (~3.5 min on 2 cores with wasm, ~13 s per epoch of the 254 training
  crystals): too few epochs to converge. 5 members × 10 epochs, patience 5: ~5 min; 5 × 30,
  patience 10: ~16 min (it overfits: see ml/README.md).
  --variance-head: members also predict a variance (β-NLL, --beta 0.5 by default, 0 for plain
  Gaussian NLL); the ensemble's std is their mixture's, with no σ-scaling holdout by default.
  --calibration: the share of the training split held out for σ-scaling (ensemble default).
  --arch a<atom>-h<hidden>-c<convolutions>-n<hidden layers>: the architecture (default: the paper's,
  a64-h128-c3-n1; \`npm run bench -- cgcnn-search\` cross-validates others).
  --folds: member k early-stops on fold k of M (cross-validation folds) instead of its own random
  10 % (the ensemble's validation option).
  --ordered: graphs of disordered entries from their lowest-Ewald-energy ordering (materials/ordering)
  instead of occupancy-weighted atom embeddings; entries that cannot be ordered keep the latter.
  scikit-learn: CRUCIBLE_SKLEARN_PYTHON, else ~/.cache/crucible/venv (infra/install-python.sh).`;

const SKLEARN_PYTHON =
  process.env.CRUCIBLE_SKLEARN_PYTHON ??
  path.join(os.homedir(), '.cache', 'crucible', 'venv', 'bin', 'python');

const mae = (pred: ArrayLike<number>, y: readonly number[]): number =>
  y.reduce((s, t, i) => s + Math.abs(pred[i] - t), 0) / y.length;

export async function accuracyBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const arg = (name: string, fallback: string): number => {
    const at = argv.indexOf(`--${name}`);
    return Number(at >= 0 && argv[at + 1] ? argv[at + 1] : fallback);
  };
  const started = Date.now();
  const backend = await selectBackend();
  const beta = argv.includes('--beta') ? arg('beta', '0') : undefined;
  const at = argv.indexOf('--arch');
  const config = cgcnnConfig({
    ...(at >= 0 ? parseArchitecture(argv[at + 1] ?? '') : {}),
    ...(argv.includes('--variance-head')
      ? { varianceHead: true, ...(beta === undefined ? {} : { varianceHeadBeta: beta }) }
      : {}),
  });
  const data = loadObelixCifSplit(
    config.graph,
    argv.includes('--ordered') ? { ordered: { maxAtoms: arg('ordered-max-atoms', '200') } } : {},
  );
  const { train, test } = data;

  // Random forest first: seconds, and its number stands even if the CGCNN run is cut short.
  const trees = arg('rf-trees', '500');
  const seed = arg('seed', '0');
  const rf = JSON.parse(
    execFileSync(SKLEARN_PYTHON, [path.join(__dirname, 'rf_baseline.py')], {
      input: JSON.stringify({
        train: { X: train.features, y: train.y },
        test: { X: test.features },
        seed,
        trees,
      }),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  ) as { predictions: number[]; sklearn_version: string };
  const rfMae = mae(rf.predictions, test.y);
  process.stderr.write(`[accuracy] rf test MAE ${rfMae.toFixed(3)} (${trees} trees)\n`);

  const cgcnnStarted = Date.now();
  const bar = progressBar();
  const ensemble = new CgcnnDeepEnsemble(
    {
      members: arg('members', '3'),
      config,
      training: {
        epochs: arg('epochs', '5'),
        batchSize: arg('batch', '32'),
        learningRate: arg('lr', '0.005'),
        validationFraction: 0.1,
        patience: arg('patience', '5'),
        seed,
      },
      // Default: the ensemble's (0.1; 0 with a variance head).
      ...(argv.includes('--calibration') ? { calibrationFraction: arg('calibration', '0.1') } : {}),
      ...(argv.includes('--folds') ? { validation: 'folds' as const } : {}),
    },
    { onProgress: (_member, p) => bar(p) },
  );
  await ensemble.fit(train.graphs, train.y);
  const prediction = await ensemble.predict(test.graphs);
  const cgcnnSeconds = (Date.now() - cgcnnStarted) / 1000;
  const trainMean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  // Calibrated (σ-scaled on the ensemble's own holdout of the training split) and raw spread.
  const cal = intervalCalibration(prediction.mean, prediction.std, test.y);
  const rawPrediction = await ensemble.predictRaw(test.graphs);
  const rawCal = intervalCalibration(rawPrediction.mean, rawPrediction.std, test.y);
  const uncensored = test.y.map((_, i) => i).filter((i) => !test.censored[i]);
  const subset = (xs: ArrayLike<number>) => uncensored.map((i) => xs[i]);
  const report = {
    benchmark: 'obelix-accuracy',
    dataset: 'OBELiX (Therrien et al. 2025, CC BY 4.0), official split, entries with CIFs',
    target: 'log10 σ (S/cm); censored entries at -15 as the authors do',
    backend: backend.backend,
    architecture: architectureName(config),
    variance_head: config.varianceHead === true,
    variance_head_beta: config.varianceHead ? (config.varianceHeadBeta ?? VARIANCE_HEAD_BETA) : null,
    split: { train: train.ids.length, test: test.ids.length, expected: '254/67' },
    cgcnn_test_mae: round(mae(prediction.mean, test.y)),
    rf_baseline_test_mae: round(rfMae),
    mean_predictor_test_mae: round(mae(new Float64Array(test.y.length).fill(trainMean), test.y)),
    coverage_68: round(cal.coverage68),
    coverage_95: round(cal.coverage95),
    test_nll: round(cal.nll),
    mean_ensemble_std: round(prediction.std.reduce((a, b) => a + b, 0) / prediction.std.length),
    uncalibrated: {
      coverage_68: round(rawCal.coverage68),
      coverage_95: round(rawCal.coverage95),
      test_nll: round(rawCal.nll),
      mean_ensemble_std: round(rawPrediction.std.reduce((a, b) => a + b, 0) / rawPrediction.std.length),
    },
    calibration: ensemble.calibration && {
      scale: round(ensemble.calibration.scale),
      holdout: ensemble.calibration.holdout,
      holdout_raw: ensemble.calibration.raw,
      holdout_scaled: ensemble.calibration.scaled,
    },
    uncensored_test: {
      count: uncensored.length,
      cgcnn_mae: round(mae(subset(prediction.mean), subset(test.y) as number[])),
      rf_mae: round(mae(subset(rf.predictions), subset(test.y) as number[])),
    },
    cgcnn: {
      members: ensemble.members.map((m) => ({
        bestEpoch: m.bestEpoch,
        epochs: m.history.length,
        bestValidationMae: round(Math.min(...m.history.map((h) => h.validationError))),
      })),
      options: ensemble.options.training,
      validation: ensemble.options.validation,
      ensemble_size: ensemble.options.members,
      seconds: round(cgcnnSeconds, 1),
    },
    rf: { trees, features: train.features[0]?.length ?? 0, sklearn: rf.sklearn_version },
    failures: data.failures,
    ordered_graphs: data.ordering && {
      ordered: data.ordering.ordered,
      kept_disordered: data.ordering.kept_disordered.length,
      reasons: data.ordering.kept_disordered,
    },
    graph_seconds: round(data.graphSeconds, 1),
    total_seconds: round((Date.now() - started) / 1000, 1),
  };
  const out = argv.indexOf('--out');
  if (out >= 0 && argv[out + 1]) fs.writeFileSync(argv[out + 1], JSON.stringify(report, null, 2));
  return report;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

if (require.main === module) {
  accuracyBenchmark(process.argv.slice(2))
    .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    });
}
