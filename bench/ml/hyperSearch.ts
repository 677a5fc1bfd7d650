/**
 * `npm run bench -- cgcnn-search`: k-fold cross-validation of CGCNN architectures on OBELiX's
 * official *training* split only (the test split stays untouched for `accuracy`), over the
 * search space of the OBELiX authors' CGCNN benchmark (benchmark/3d_models/CGCNN/main.py in
 * github.com/NRC-Mila/OBELiX): atom feature 32/64/128, hidden 64/128/256, 2/3/4 convolutions,
 * 1/2/3 hidden layers after pooling, 3 folds, a fixed number of epochs per fold (no early
 * stopping on the fold: it would select on the data it scores). The paper's defaults (64, 128,
 * 3, 1) are always among the candidates; the others are a seeded sample of the 81 combinations.
 * One model per fold and configuration (an ensemble would multiply the cost by its size).
 */
import * as fs from 'node:fs';
import { selectBackend } from '../../ml/backends/select';
import { CGCNN_DEFAULTS, cgcnnConfig, type CgcnnConfig } from '../../ml/cgcnn/config';
import { crossValidationFolds } from '../../ml/ensemble/deepEnsemble';
import { deriveSeed, permutation, seededRandom } from '../../ml/random';
import { trainCgcnn } from '../../ml/training/train';
import { loadObelixCifSplit } from './obelixData';

export const USAGE = `npm run bench -- cgcnn-search -- [--sample 5] [--configs a64-h128-c3-n1,...]
    [--folds 3] [--epochs 10] [--batch 32] [--lr 0.005] [--seed 0] [--max-atoms-per-pass 8192]
    [--out file.json]
  Cross-validated MAE of log10 σ per architecture on OBELiX's training split (254 entries with
  CIFs). A configuration is a<atom feature>-h<hidden>-c<convolutions>-n<hidden layers>.
  --sample N: the paper's defaults plus N others drawn (seeded) from the OBELiX authors' grid.
  ~4.5 min per configuration at the defaults on one wasm thread (more for wider models). The widest
  (a128-h256-c4-n3) runs out of the 4 GiB wasm heap at 8,192 atoms per pass: give it 2,048.`;

export const SEARCH_SPACE = {
  atomFeatureLength: [32, 64, 128],
  hiddenLength: [64, 128, 256],
  convLayers: [2, 3, 4],
  hiddenLayers: [1, 2, 3],
};

type Architecture = Pick<CgcnnConfig, 'atomFeatureLength' | 'hiddenLength' | 'convLayers' | 'hiddenLayers'>;

export const architectureName = (a: Architecture) =>
  `a${a.atomFeatureLength}-h${a.hiddenLength}-c${a.convLayers}-n${a.hiddenLayers}`;

export function parseArchitecture(name: string): Architecture {
  const m = /^a(\d+)-h(\d+)-c(\d+)-n(\d+)$/.exec(name);
  if (!m) throw new Error(`architecture "${name}" is not a<atom>-h<hidden>-c<convolutions>-n<layers>`);
  const [atomFeatureLength, hiddenLength, convLayers, hiddenLayers] = m.slice(1).map(Number);
  if ([atomFeatureLength, hiddenLength, convLayers, hiddenLayers].some((v) => v < 1))
    throw new Error(`architecture "${name}": every size must be at least 1`);
  return { atomFeatureLength, hiddenLength, convLayers, hiddenLayers };
}

/** The paper's defaults first, then `count` other grid points in a seeded order. */
export function sampleArchitectures(count: number, seed: number): Architecture[] {
  const grid: Architecture[] = [];
  for (const atomFeatureLength of SEARCH_SPACE.atomFeatureLength)
    for (const hiddenLength of SEARCH_SPACE.hiddenLength)
      for (const convLayers of SEARCH_SPACE.convLayers)
        for (const hiddenLayers of SEARCH_SPACE.hiddenLayers)
          grid.push({ atomFeatureLength, hiddenLength, convLayers, hiddenLayers });
  const defaults = architectureName(CGCNN_DEFAULTS);
  const others = grid.filter((a) => architectureName(a) !== defaults);
  const order = permutation(others.length, seededRandom(deriveSeed(seed, 31)));
  return [CGCNN_DEFAULTS, ...Array.from(order.subarray(0, count), (i) => others[i])].map((a) => ({
    atomFeatureLength: a.atomFeatureLength,
    hiddenLength: a.hiddenLength,
    convLayers: a.convLayers,
    hiddenLayers: a.hiddenLayers,
  }));
}

export async function hyperSearchBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const arg = (name: string, fallback: string): string => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] ? argv[at + 1] : fallback;
  };
  const num = (name: string, fallback: string): number => {
    const v = Number(arg(name, fallback));
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const started = Date.now();
  const backend = await selectBackend();
  const seed = Number(arg('seed', '0'));
  const folds = num('folds', '3');
  const epochs = num('epochs', '10');
  const architectures = argv.includes('--configs')
    ? arg('configs', '').split(',').map(parseArchitecture)
    : sampleArchitectures(num('sample', '5'), seed);
  const data = loadObelixCifSplit(cgcnnConfig().graph);
  const { graphs, y } = data.train;
  const foldIndices = crossValidationFolds(graphs.length, folds, seed);
  const log = (s: string) => process.stderr.write(`[cgcnn-search] ${s}\n`);
  const results = [];
  for (const arch of architectures) {
    const name = architectureName(arch);
    const config = cgcnnConfig(arch);
    const t0 = Date.now();
    const foldMae: number[] = [];
    const bestEpochMae: number[] = [];
    for (const [k, validation] of foldIndices.entries()) {
      const trained = await trainCgcnn(
        config,
        { graphs, targets: y, validation },
        {
          epochs,
          patience: epochs, // no early stopping: the fold is scored, not selected on
          batchSize: num('batch', '32'),
          learningRate: num('lr', '0.005'),
          maxAtomsPerPass: num('max-atoms-per-pass', '8192'),
          seed: deriveSeed(seed, 100 + k),
        },
      );
      const last = trained.history[trained.history.length - 1];
      foldMae.push(round(last.validationError));
      bestEpochMae.push(round(Math.min(...trained.history.map((h) => h.validationError))));
      log(`${name} fold ${k + 1}/${folds}: MAE ${last.validationError.toFixed(3)} after ${epochs} epochs`);
    }
    const mean = foldMae.reduce((a, b) => a + b, 0) / foldMae.length;
    const std = Math.sqrt(foldMae.reduce((s, v) => s + (v - mean) ** 2, 0) / foldMae.length);
    results.push({
      architecture: name,
      cv_mae: round(mean),
      cv_mae_std: round(std),
      fold_mae: foldMae,
      // Optimistic (the minimum over epochs of the scored fold): how much the epoch count matters.
      best_epoch_fold_mae: bestEpochMae,
      seconds: round((Date.now() - t0) / 1000, 1),
    });
  }
  const ranked = [...results].sort((a, b) => a.cv_mae - b.cv_mae);
  const report = {
    benchmark: 'cgcnn-search',
    dataset: 'OBELiX official training split, entries with CIFs (the test split is not used)',
    target: 'log10 σ (S/cm); censored entries at -15 as the authors do',
    backend: backend.backend,
    settings: {
      folds,
      epochs,
      batch: num('batch', '32'),
      lr: num('lr', '0.005'),
      max_atoms_per_pass: num('max-atoms-per-pass', '8192'),
      seed,
      train: graphs.length,
    },
    search_space: SEARCH_SPACE,
    results,
    best: ranked[0]?.architecture ?? null,
    paper_defaults: architectureName(CGCNN_DEFAULTS),
    total_seconds: round((Date.now() - started) / 1000, 1),
  };
  const out = argv.indexOf('--out');
  if (out >= 0 && argv[out + 1]) fs.writeFileSync(argv[out + 1], JSON.stringify(report, null, 2) + '\n');
  return report;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
