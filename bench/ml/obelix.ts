/**
 * OBELiX benchmark (Therrien et al. 2025, CC BY 4.0): CGCNN deep ensemble on the official split
 * restricted to the entries with CIFs (254 train / 67 test), scored as MAE of log10 σ (S/cm),
 * censored values at log10 σ = −15 as the authors' code does. Prints JSON.
 *
 *   tsx bench/ml/obelix.ts [--epochs 80] [--members 1] [--batch 32] [--lr 0.005]
 *                          [--patience 25] [--seed 0] [--out file.json]
 * Differences from the paper's CGCNN run: disordered sites use CGCNN features weighted by
 * occupancy (materials/crystalGraph.ts) instead of rounding partial occupancies, and the
 * hyperparameters are CGCNN's defaults rather than the authors' tuned ones.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseObelixTable } from '../../data/obelix';
import { readCifStructure } from '../../materials/cifReader';
import { crystalGraph, type CrystalGraph } from '../../materials/crystalGraph';
import { selectBackend } from '../../ml/backends/select';
import { cgcnnConfig } from '../../ml/cgcnn/config';
import { CgcnnDeepEnsemble } from '../../ml/ensemble/deepEnsemble';
import { progressBar } from '../../ml/training/progressBar';

const OBELIX = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'obelix');

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

function splitIds(file: string): string[] {
  const rows = parse(fs.readFileSync(path.join(OBELIX, file), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
  return (rows as { ID: string }[]).map((r) => r.ID);
}

async function main(): Promise<void> {
  const started = Date.now();
  const backend = await selectBackend();
  const entries = new Map(
    parseObelixTable(fs.readFileSync(path.join(OBELIX, 'all.csv'), 'utf8')).map((e) => [e.id, e]),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obelix-'));
  execFileSync('tar', ['-xzf', path.join(OBELIX, 'all_cifs.tar.gz'), '-C', dir]);
  const cifs = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.cif')) cifs.set(e.name.slice(0, -4), p);
    }
  };
  walk(dir);

  const config = cgcnnConfig();
  const failures: string[] = [];
  const load = (ids: string[]) => {
    const graphs: CrystalGraph[] = [];
    const y: number[] = [];
    const used: string[] = [];
    for (const id of ids) {
      const file = cifs.get(id);
      const entry = entries.get(id);
      if (!file || !entry) continue;
      try {
        graphs.push(
          crystalGraph(readCifStructure(fs.readFileSync(file, 'utf8'), { source: file }), config.graph),
        );
        y.push(entry.log10_sigma);
        used.push(id);
      } catch (error) {
        failures.push(`${id}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return { graphs, y, used };
  };
  const train = load(splitIds('train.csv'));
  const test = load(splitIds('test.csv'));
  fs.rmSync(dir, { recursive: true, force: true });
  const graphSeconds = (Date.now() - started) / 1000;

  const members = Number(arg('members', '1'));
  const bar = progressBar(); // one line per epoch on stderr (rewritten in place on a terminal)
  const ensemble = new CgcnnDeepEnsemble(
    {
      members,
      config,
      training: {
        epochs: Number(arg('epochs', '80')),
        batchSize: Number(arg('batch', '32')),
        learningRate: Number(arg('lr', '0.005')),
        validationFraction: 0.1,
        patience: Number(arg('patience', '25')),
        seed: Number(arg('seed', '0')),
      },
    },
    { onProgress: (_member, p) => bar(p) },
  );
  await ensemble.fit(train.graphs, train.y);
  const prediction = await ensemble.predict(test.graphs);
  const mae = test.y.reduce((s, t, i) => s + Math.abs(prediction.mean[i] - t), 0) / test.y.length;
  const trainMean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  const meanBaseline = test.y.reduce((s, t) => s + Math.abs(trainMean - t), 0) / test.y.length;
  const report = {
    benchmark: 'obelix-cgcnn',
    backend: backend.backend,
    split: {
      train: train.used.length,
      test: test.used.length,
      expected: '254/67 (official split, entries with CIFs)',
    },
    failures,
    atoms: {
      train: train.graphs.reduce((s, g) => s + g.numAtoms, 0),
      test: test.graphs.reduce((s, g) => s + g.numAtoms, 0),
    },
    options: ensemble.options,
    testMaeLog10Sigma: mae,
    trainMeanBaselineMae: meanBaseline,
    meanEnsembleStd: prediction.std.reduce((a, b) => a + b, 0) / prediction.std.length,
    members: ensemble.members.map((m) => ({
      bestEpoch: m.bestEpoch,
      epochs: m.history.length,
      epochSeconds: m.history[0]?.seconds,
    })),
    graphSeconds,
    totalSeconds: (Date.now() - started) / 1000,
  };
  const text = JSON.stringify(report, null, 2);
  if (arg('out', '')) fs.writeFileSync(arg('out', ''), text);
  process.stdout.write(`${text}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
