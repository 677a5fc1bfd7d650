import { useBackend } from '../../../ml/backends/select';
import { cgcnnConfig } from '../../../ml/cgcnn/config';
import { varianceScale } from '../../../ml/ensemble/calibration';
import { CgcnnDeepEnsemble, crossValidationFolds, ensembleMoments } from '../../../ml/ensemble/deepEnsemble';
import { deriveSeed } from '../../../ml/random';
import { MemoryCheckpointSink } from '../../../ml/training/checkpoint';
import { fitNormalizer } from '../../../ml/training/normalizer';
import {
  cgcnnLoss,
  splitByAtoms,
  targetTensor,
  trainableVariables,
  trainStep,
  trainStepMicroBatched,
} from '../../../ml/training/step';
import { FlatAdam } from '../../../ml/training/adam';
import { batchTensors, collateGraphs, disposeBatch } from '../../../ml/cgcnn/batch';
import { createVariables, disposeVariables, initialWeights, readWeights } from '../../../ml/cgcnn/params';
import { tf } from '../../../ml/tf';
import { progressLine } from '../../../ml/training/progressBar';
import { predictCgcnn, trainCgcnn, validationSplit, type TrainingProgress } from '../../../ml/training/train';
import { sampleGraphs } from './sampleGraphs';

// A small CGCNN so the loop runs in seconds; the full-size model is checked against PyTorch in
// cgcnn.test.ts, and this file checks the loop around it.
const config = cgcnnConfig({ atomFeatureLength: 8, convLayers: 2, hiddenLength: 16 });
const IDS = [
  '1000041',
  '1000050',
  '1101051',
  '1507756',
  '7206075',
  '9000046',
  '9009743',
  '9011050',
  '9011998',
  '9012304',
];
const data = (() => {
  const { graphs, targets } = sampleGraphs(IDS);
  return { graphs, targets };
})();
const options = {
  epochs: 6,
  batchSize: 4,
  learningRate: 0.01,
  validationFraction: 0.2,
  patience: 100,
  seed: 11,
};

beforeAll(async () => {
  await useBackend('wasm');
});

describe('normalizer and split', () => {
  it('uses the unbiased std like torch.std (1, 2, 3, 4 → mean 2.5, std 1.2910)', () => {
    const n = fitNormalizer([1, 2, 3, 4]);
    expect(n.mean).toBe(2.5);
    expect(n.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
  it('holds out a seeded, disjoint validation set', () => {
    const a = validationSplit(10, 0.2, 3);
    expect(a.validation).toHaveLength(2);
    expect([...a.train, ...a.validation].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect(validationSplit(10, 0.2, 3)).toEqual(a);
  });
});

describe('CGCNN training loop', () => {
  it('is deterministic, checkpoints every epoch, reports progress, and resumes exactly', async () => {
    const sink = new MemoryCheckpointSink();
    const progress: TrainingProgress[] = [];
    const full = await trainCgcnn(config, data, options, {
      checkpoint: sink,
      onProgress: (p) => void progress.push(p),
    });
    expect(sink.saves).toBe(options.epochs);
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress[5].done).toBe(true);
    expect(progressLine(progress[2])).toMatch(/epoch 3\/6 train \d/);
    expect(full.history[5].trainLoss).toBeLessThan(full.history[0].trainLoss);

    // Interrupted after epoch 3 (as a crashed activity), then retried with the same sink.
    const interrupted = new MemoryCheckpointSink();
    const abort = new AbortController();
    await trainCgcnn(config, data, options, {
      checkpoint: interrupted,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.epoch === 3) abort.abort();
      },
    });
    expect([...interrupted.saved.values()][0].epoch).toBe(3);
    const resumed = await trainCgcnn(config, data, options, { checkpoint: interrupted });
    expect(resumed.resumedFromEpoch).toBe(3);
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(full.history.map((h) => h.trainLoss));
    for (const name of Object.keys(full.weights)) {
      expect(Array.from(resumed.weights[name].values)).toEqual(Array.from(full.weights[name].values));
    }
  });

  it('stops early when validation loss stops improving', async () => {
    const trained = await trainCgcnn(config, data, {
      ...options,
      epochs: 40,
      patience: 2,
      learningRate: 0.05,
    });
    expect(trained.history.length).toBeLessThan(40);
    expect(trained.history.length - trained.bestEpoch).toBe(2);
  });
});

describe('deep ensemble', () => {
  it('mean and population std across members (3 ± √(2/3) for 2, 3, 4)', () => {
    const p = ensembleMoments([Float64Array.of(2), Float64Array.of(3), Float64Array.of(4)]);
    expect(p.mean[0]).toBe(3);
    expect(p.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('trains M members from different seeds and round-trips through JSON', async () => {
    const ensemble = new CgcnnDeepEnsemble({ members: 3, config, training: { ...options, epochs: 3 } });
    await ensemble.fit(data.graphs, data.targets);
    const prediction = await ensemble.predict(data.graphs);
    const members = await Promise.all(ensemble.members.map((m) => predictCgcnn(m, data.graphs)));
    const expected = ensembleMoments(members);
    expect(Array.from(prediction.mean)).toEqual(Array.from(expected.mean));
    expect(Math.min(...prediction.std)).toBeGreaterThan(0);
    const restored = CgcnnDeepEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    const again = await restored.predict(data.graphs);
    expect(Array.from(again.mean)).toEqual(Array.from(prediction.mean));
    expect(Array.from(again.std)).toEqual(Array.from(prediction.std));
    expect(ensemble.calibration).toBeNull(); // 10 crystals: a holdout of 1 is too small to calibrate on
  });

  it('holds out a calibration set, scales the spread to fit it, and keeps the scale through JSON', async () => {
    // 30 crystals (the samples three times, targets shifted) so that a third held out is ≥ 10.
    const graphs = [...data.graphs, ...data.graphs, ...data.graphs];
    const targets = [...data.targets, ...data.targets.map((t) => t + 1), ...data.targets.map((t) => t - 1)];
    const ensemble = new CgcnnDeepEnsemble({
      members: 2,
      config,
      training: { ...options, epochs: 2 },
      calibrationFraction: 1 / 3,
    });
    await ensemble.fit(graphs, targets);
    const cal = ensemble.calibration!;
    expect(cal.holdout).toBe(10);
    const holdout = validationSplit(30, 1 / 3, deriveSeed(options.seed, 900)).validation;
    const raw = await ensemble.predictRaw(holdout.map((i) => graphs[i]));
    expect(cal.scale).toBeCloseTo(
      varianceScale(
        raw.mean,
        raw.std,
        holdout.map((i) => targets[i]),
      ),
      10,
    );
    const scaled = await ensemble.predict(graphs);
    const unscaled = await ensemble.predictRaw(graphs);
    scaled.std.forEach((s, i) => expect(s).toBeCloseTo(unscaled.std[i] * cal.scale, 12));
    // The joint prediction's member deviations are scaled alike: without variance heads they
    // carry the whole calibrated variance.
    const joint = await ensemble.predictJoint(graphs);
    joint.std.forEach((s, i) => {
      expect(s).toBeCloseTo(scaled.std[i], 12);
      expect(joint.deviations.reduce((sum, d) => sum + d[i] ** 2, 0)).toBeCloseTo(s * s, 10);
    });
    const restored = CgcnnDeepEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    expect(Array.from((await restored.predict(graphs)).std)).toEqual(Array.from(scaled.std));
  });
});

describe('cross-validation folds', () => {
  it('cut 0..n-1 into disjoint folds of sizes differing by at most one, seeded', () => {
    const folds = crossValidationFolds(23, 5, 4);
    expect(folds.map((f) => f.length).sort()).toEqual([4, 4, 5, 5, 5]);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(crossValidationFolds(23, 5, 4)).toEqual(folds);
    expect(crossValidationFolds(23, 5, 5)).not.toEqual(folds);
    expect(() => crossValidationFolds(3, 5, 0)).toThrow(/3 crystals cannot fill 5 folds/);
    expect(() => crossValidationFolds(10, 1, 0)).toThrow(/at least 2 folds/);
  });

  it("member k early-stops on fold k and normalizes on the other folds ('folds' validation)", async () => {
    const ensemble = new CgcnnDeepEnsemble({
      members: 3,
      config,
      training: { ...options, epochs: 3 },
      validation: 'folds',
    });
    await ensemble.fit(data.graphs, data.targets);
    const folds = crossValidationFolds(data.graphs.length, 3, options.seed);
    for (const [k, member] of ensemble.members.entries()) {
      const fold = folds[k];
      const rest = data.targets.filter((_, i) => !fold.includes(i));
      expect(member.normalizer.mean).toBeCloseTo(fitNormalizer(rest).mean, 12);
      // The best epoch's validation MAE is the MAE of the kept weights on exactly this fold.
      const p = await predictCgcnn(
        member,
        fold.map((i) => data.graphs[i]),
      );
      const foldMae = fold.reduce((s, i, j) => s + Math.abs(p[j] - data.targets[i]), 0) / fold.length;
      expect(member.history[member.bestEpoch - 1].validationError).toBeCloseTo(foldMae, 4);
    }
    const restored = CgcnnDeepEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    expect(restored.options.validation).toBe('folds');
    expect(() => new CgcnnDeepEnsemble({ members: 1, validation: 'folds' })).toThrow(/at least 2 members/);
  });

  it('rejects validation indices outside the data', async () => {
    await expect(
      trainCgcnn(config, { ...data, validation: [0, 10] }, { ...options, epochs: 1 }),
    ).rejects.toThrow(/validation index 10 is not one of the 10 graphs/);
  });
});

describe('classification head', () => {
  it('NLL of log-probabilities is the cross-entropy: −(ln 0.7 + ln 0.4)/2', async () => {
    const logp = tf.log(tf.tensor2d([0.3, 0.7, 0.4, 0.6], [2, 2]));
    const loss = cgcnnLoss(cgcnnConfig({ task: 'classification' }), logp, tf.tensor1d([1, 0], 'int32'));
    expect((await loss.data())[0]).toBeCloseTo(-(Math.log(0.7) + Math.log(0.4)) / 2, 6);
  });

  it('trains with dropout and predicts probabilities', async () => {
    const classify = cgcnnConfig({ ...config, task: 'classification' });
    const labels = data.targets.map((t) => (t > 5 ? 1 : 0));
    const trained = await trainCgcnn(
      classify,
      { graphs: data.graphs, targets: labels },
      { ...options, epochs: 4 },
    );
    expect(trained.history[3].trainLoss).toBeLessThan(trained.history[0].trainLoss * 1.5);
    const p = await predictCgcnn(trained, data.graphs);
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
  });
});

describe('micro-batched steps', () => {
  it('splits by atom count, keeping order and at least one crystal per part', () => {
    const atoms = [5, 5, 20, 3, 3];
    expect(splitByAtoms([0, 1, 2, 3, 4], (i) => atoms[i], 10)).toEqual([[0, 1], [2], [3, 4]]);
  });

  it('accumulates gradients: two half-weight copies of a batch make the same update as one pass', async () => {
    const host = collateGraphs(data.graphs.slice(0, 4));
    const y = data.targets.slice(0, 4).map((t) => (t - 5) / 3);
    const run = async (parts: number) => {
      const vars = createVariables(config, initialWeights(config, 3));
      const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
      const batch = batchTensors(host);
      const targets = targetTensor(config, y);
      const loss =
        parts === 1
          ? trainStep(config, vars, optimizer, batch, targets)
          : trainStepMicroBatched(config, vars, optimizer, [
              { batch, targets, weight: 0.5 },
              { batch, targets, weight: 0.5 },
            ]);
      const weights = await readWeights(vars);
      const value = (await loss.data())[0];
      tf.dispose([loss, targets]);
      disposeBatch(batch);
      optimizer.dispose();
      disposeVariables(vars);
      return { weights, value };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two.value).toBeCloseTo(one.value, 5);
    for (const name of Object.keys(one.weights)) {
      if (name.includes('running')) continue; // updated once per part by design
      const a = one.weights[name].values;
      const b = two.weights[name].values;
      for (let k = 0; k < a.length; k += 1) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-5);
    }
  });
});
