import { useBackend, type BackendName } from '../../../ml/backends/select';
import { batchTensors, collateGraphs, disposeBatch } from '../../../ml/cgcnn/batch';
import { cgcnnConfig } from '../../../ml/cgcnn/config';
import {
  createVariables,
  disposeVariables,
  fromTorchStateDict,
  toTorchStateDict,
  type TorchStateDict,
  type WeightMap,
} from '../../../ml/cgcnn/params';
import { FlatAdam } from '../../../ml/training/adam';
import {
  lossGradients,
  predictBatch,
  targetTensor,
  trainableVariables,
  trainStep,
} from '../../../ml/training/step';
import { tf } from '../../../ml/tf';
import { sampleGraphs } from './sampleGraphs';
import { torchReference } from './torchReference';

interface Summary {
  norm: number;
  sum: number;
  sample: number[];
  stride: number;
}
interface Reference {
  keys: { name: string; shape: number[]; fan_in: number }[];
  train_output: number[];
  loss: number;
  grads: Record<string, Summary>;
  running: Record<string, Summary>;
  eval_output: number[];
  adam_losses: number[];
}

// Paper defaults (64 / 3 conv / 128), two hidden layers so the fcs path is covered too.
const config = cgcnnConfig({ hiddenLayers: 2 });
const IDS = ['1000041', '1101051', '1507756', '7206075'];
const { graphs, targets: raw } = sampleGraphs(IDS);
const targets = raw.map((t) => (t - 5) / 3);
const host = collateGraphs(graphs);
const ADAM = { lr: 0.01, eps: 1e-8, steps: 3 };

const input = {
  atom_fea: rows(host.atomFeatures, host.atomInputLength),
  nbr_fea: rows(host.edgeFeatures, host.edgeInputLength).reduce<number[][][]>((acc, row, k) => {
    if (k % host.maxNeighbors === 0) acc.push([]);
    acc[acc.length - 1].push(row);
    return acc;
  }, []),
  nbr_idx: rows(Float32Array.from(host.neighborIndices), host.maxNeighbors),
  crystal_atom_idx: graphs.map((g, c) => {
    const start = graphs.slice(0, c).reduce((s, x) => s + x.numAtoms, 0);
    return Array.from({ length: g.numAtoms }, (_, i) => start + i);
  }),
  targets,
  config: {
    atom_fea_len: config.atomFeatureLength,
    n_conv: config.convLayers,
    h_fea_len: config.hiddenLength,
    n_h: 2,
  },
  adam: ADAM,
};
const { value: ref, source } = torchReference<Reference>('cgcnn_reference.py', input, 'cgcnn_reference.json');

function rows(values: Float32Array, width: number): number[][] {
  return Array.from({ length: values.length / width }, (_, r) =>
    Array.from(values.subarray(r * width, (r + 1) * width)),
  );
}

/** The reference script's closed-form weights, rebuilt from its key list. */
function fixedTorchWeights(): TorchStateDict {
  const state: TorchStateDict = {};
  ref.keys.forEach(({ name, shape, fan_in }, p) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let k = 0; k < size; k += 1) {
      const s = Math.sin(0.37 * k + 1.1 * p + 0.3);
      if (!name.includes('.bn')) values[k] = s / Math.sqrt(fan_in);
      else if (name.endsWith('.weight')) values[k] = 1 + 0.2 * s;
      else if (name.endsWith('.bias')) values[k] = 0.1 * s;
      else if (name.endsWith('running_mean')) values[k] = 0.05 * s;
      else values[k] = 1 + 0.3 * s * s;
    }
    state[name] = { shape, values };
  });
  return state;
}

function expectSummary(
  actual: ArrayLike<number>,
  expected: Summary,
  rtol: number,
  label: string,
  atol = 1e-9,
): void {
  const values = Array.from(actual);
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  const scale = Math.max(expected.norm / Math.sqrt(values.length), 1e-12);
  if (Math.abs(norm - expected.norm) > rtol * expected.norm + atol) {
    throw new Error(`${label}: norm ${norm} vs PyTorch ${expected.norm}`);
  }
  expected.sample.forEach((want, i) => {
    const got = values[i * expected.stride];
    if (Math.abs(got - want) > rtol * (Math.abs(want) + scale) + atol) {
      throw new Error(`${label}[${i * expected.stride}]: ${got} vs PyTorch ${want}`);
    }
  });
}

describe.each<BackendName>(['cpu', 'wasm'])(
  `CGCNN on %s equals Xie & Grossman's PyTorch CGCNN`,
  (backend) => {
    let weights: WeightMap;
    beforeAll(async () => {
      await useBackend(backend);
      weights = fromTorchStateDict(config, fixedTorchWeights());
    });

    it(`forward (train and eval mode), loss, every gradient and BatchNorm running stats (${source})`, async () => {
      const vars = createVariables(config, weights);
      const batch = batchTensors(host);
      const y = targetTensor(config, targets);
      const evalOut = predictBatch(config, vars, batch);
      const { loss, grads, output, runningStats } = lossGradients(config, vars, batch, y);

      expectSummary(await output.data(), summaryOf(ref.train_output), 1e-4, 'train output');
      expectSummary(await evalOut.data(), summaryOf(ref.eval_output), 1e-4, 'eval output');
      expect(Math.abs((await loss.data())[0] - ref.loss)).toBeLessThan(1e-4 * ref.loss);

      const gradWeights: WeightMap = {};
      for (const [name, g] of Object.entries(grads))
        gradWeights[name] = { shape: g.shape, values: (await g.data()) as Float32Array };
      const torchGrads = toTorchStateDict(config, gradWeights);
      expect(Object.keys(torchGrads).sort()).toEqual(Object.keys(ref.grads).sort());
      for (const [name, summary] of Object.entries(ref.grads)) {
        // float32 here, float64 in the reference. fc_full's bias gradient is exactly zero in exact
        // arithmetic (BatchNorm subtracts it again), so float32 leaves ~1e-8 noise: atol 1e-6.
        expectSummary(torchGrads[name].values, summary, 2e-3, `grad ${name}`, 1e-6);
      }
      const stats: WeightMap = {};
      for (const [name, t] of runningStats)
        stats[name] = { shape: t.shape, values: (await t.data()) as Float32Array };
      const torchStats = toTorchStateDict(config, { ...weights, ...stats });
      for (const [name, summary] of Object.entries(ref.running))
        expectSummary(torchStats[name].values, summary, 1e-4, name);

      tf.dispose([loss, output, evalOut, y, ...Object.values(grads), ...runningStats.values()]);
      disposeBatch(batch);
      disposeVariables(vars);
    });

    // The pure-JS cpu backend is ~20x slower; its gradients are checked above, the optimizer once.
    (backend === 'wasm' ? it : it.skip)('three Adam steps follow torch.optim.Adam', async () => {
      const vars = createVariables(config, weights);
      const batch = batchTensors(host);
      const y = targetTensor(config, targets);
      const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: ADAM.lr, epsilon: ADAM.eps });
      const losses: number[] = [];
      for (let s = 0; s < ADAM.steps; s += 1) {
        const loss = trainStep(config, vars, optimizer, batch, y);
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      losses.forEach((l, s) =>
        expect(Math.abs(l - ref.adam_losses[s])).toBeLessThan(1e-3 * ref.adam_losses[s]),
      );
      optimizer.dispose();
      y.dispose();
      disposeBatch(batch);
      disposeVariables(vars);
    });
  },
);

function summaryOf(values: number[]): Summary {
  return {
    norm: Math.sqrt(values.reduce((s, v) => s + v * v, 0)),
    sum: values.reduce((s, v) => s + v, 0),
    sample: values,
    stride: 1,
  };
}
