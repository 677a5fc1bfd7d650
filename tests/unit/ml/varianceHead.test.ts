import { useBackend } from '../../../ml/backends/select';
import { cgcnnConfig, outputLength } from '../../../ml/cgcnn/config';
import { CgcnnDeepEnsemble, ensembleMoments } from '../../../ml/ensemble/deepEnsemble';
import { tf } from '../../../ml/tf';
import { gaussianNll } from '../../../ml/training/step';
import { predictCgcnnDistribution, trainCgcnn, validationSplit } from '../../../ml/training/train';
import { sampleGraphs } from './sampleGraphs';
import { torchReference } from './torchReference';

// The variance head (Lakshminarayanan et al., NeurIPS 2017): each member predicts a mean and a
// variance, trained by Gaussian NLL; the ensemble is the equal mixture of its members' Gaussians.
// References: torch.nn.GaussianNLLLoss and its autograd gradient, β-NLL (Seitzer et al., ICLR 2022) by
// autograd, and
// torch.distributions.MixtureSameFamily's mean and variance (tests/reference/ml/gaussian_head_reference.py).

const input = {
  output: [
    [0.5, -1.0],
    [-0.2, 0.3],
    [1.7, 2.5],
    [0.0, -6.0],
    [-1.3, 0.0],
    [2.2, -0.4],
  ],
  targets: [1.0, -0.5, 0.4, 0.01, -3.0, 2.0],
  members: {
    means: [
      [1, 2, -0.5, 4],
      [1.5, 2, 0.5, -4],
      [0.4, 2, 0.1, 0],
    ],
    variances: [
      [1, 0.5, 0.02, 3],
      [0.2, 0.5, 0.3, 1],
      [2, 0.5, 0.01, 0.1],
    ],
  },
};
interface Reference {
  loss: number;
  grad_output: number[][];
  beta_nll: { beta: number; loss: number; grad_output: number[][] };
  mixture: { mean: number[]; variance: number[] };
}
const { value: ref, source } = torchReference<Reference>(
  'gaussian_head_reference.py',
  input,
  'gaussian_head_reference.json',
);

const small = { atomFeatureLength: 8, convLayers: 2, hiddenLength: 16, varianceHead: true };
const IDS = ['1000041', '1000050', '1101051', '1507756', '7206075', '9000046', '9009743', '9011050'];

beforeAll(async () => {
  await useBackend('wasm');
});

describe('variance head', () => {
  it(`Gaussian NLL and its gradient equal torch.nn.GaussianNLLLoss on softplus(raw) + 1e-6 (${source})`, async () => {
    const output = tf.tensor2d(input.output);
    const targets = tf.tensor2d(input.targets, [input.targets.length, 1]);
    const { value, grads } = tf.valueAndGrads((o: tf.Tensor) => gaussianNll(o, targets) as tf.Scalar)([
      output,
    ]);
    expect((await value.data())[0]).toBeCloseTo(ref.loss, 5);
    const grad = await grads[0].array();
    (grad as number[][]).forEach((row, i) =>
      row.forEach((g, j) => expect(g).toBeCloseTo(ref.grad_output[i][j], 5)),
    );
    tf.dispose([output, targets, value, ...grads]);
  });

  it(`β-NLL weights each term by variance^β held constant in the gradient (Seitzer et al. 2022; ${source})`, async () => {
    const output = tf.tensor2d(input.output);
    const targets = tf.tensor2d(input.targets, [input.targets.length, 1]);
    const { beta } = ref.beta_nll;
    const { value, grads } = tf.valueAndGrads((o: tf.Tensor) => gaussianNll(o, targets, beta) as tf.Scalar)([
      output,
    ]);
    expect((await value.data())[0]).toBeCloseTo(ref.beta_nll.loss, 5);
    const grad = (await grads[0].array()) as number[][];
    grad.forEach((row, i) => row.forEach((g, j) => expect(g).toBeCloseTo(ref.beta_nll.grad_output[i][j], 5)));
    tf.dispose([output, targets, value, ...grads]);
    expect(() => cgcnnConfig({ ...small, varianceHeadBeta: 1.5 })).toThrow(
      /varianceHeadBeta must be in \[0, 1\]/,
    );
  });

  it(`the ensemble's mean and std are the equal mixture's (torch MixtureSameFamily, ${source})`, () => {
    const p = ensembleMoments(
      input.members.means.map((m) => Float64Array.from(m)),
      input.members.variances.map((v) => Float64Array.from(v)),
    );
    p.mean.forEach((m, i) => expect(m).toBeCloseTo(ref.mixture.mean[i], 12));
    p.std.forEach((s, i) => expect(s * s).toBeCloseTo(ref.mixture.variance[i], 12));
    expect(() => ensembleMoments([Float64Array.of(1)], [])).toThrow('one variance array per member');
  });

  it('holds out no σ-scaling set by default (the mixture is calibrated as it comes), unless asked', () => {
    expect(new CgcnnDeepEnsemble({ config: cgcnnConfig(small) }).options.calibrationFraction).toBe(0);
    expect(
      new CgcnnDeepEnsemble({ config: cgcnnConfig(small), calibrationFraction: 0.2 }).options
        .calibrationFraction,
    ).toBe(0.2);
    expect(new CgcnnDeepEnsemble({ config: cgcnnConfig() }).options.calibrationFraction).toBe(0.1);
  });

  it('is a regression option: two outputs, refused for classification', () => {
    expect(outputLength(cgcnnConfig(small))).toBe(2);
    expect(outputLength(cgcnnConfig({ ...small, varianceHead: false }))).toBe(1);
    expect(() => cgcnnConfig({ ...small, task: 'classification' })).toThrow(/varianceHead is for regression/);
  });

  it('trains, scores validation MAE on the mean, predicts variances in target units, and ensembles them', async () => {
    const { graphs, targets: raw } = sampleGraphs(IDS);
    const targets = raw.map((t) => 100 * t); // target units far from the normalized ones
    const config = cgcnnConfig(small);
    const options = {
      epochs: 4,
      batchSize: 4,
      learningRate: 0.01,
      validationFraction: 0.25,
      patience: 100,
      seed: 5,
    };
    const trained = await trainCgcnn(config, { graphs, targets }, options);

    // Validation error is the MAE of the mean column, in target units, at the best epoch.
    const val = validationSplit(graphs.length, options.validationFraction, options.seed).validation;
    const p = await predictCgcnnDistribution(
      trained,
      val.map((i) => graphs[i]),
    );
    const maeOfMean = val.reduce((s, i, k) => s + Math.abs(p.mean[k] - targets[i]), 0) / val.length;
    expect(maeOfMean).toBeCloseTo(trained.history[trained.bestEpoch - 1].validationError, 2);
    // Variances are positive and scaled by the normalizer's std² (≥ 1e-6 std² by the floor).
    for (const v of p.variance!) expect(v).toBeGreaterThanOrEqual(1e-6 * trained.normalizer.std ** 2);

    const ensemble = new CgcnnDeepEnsemble({ members: 2, config, training: { ...options, epochs: 2 } });
    await ensemble.fit(graphs, targets);
    const each = await Promise.all(ensemble.members.map((m) => predictCgcnnDistribution(m, graphs)));
    const expected = ensembleMoments(
      each.map((e) => e.mean),
      each.map((e) => e.variance!),
    );
    const got = await ensemble.predict(graphs);
    expect(Array.from(got.std)).toEqual(Array.from(expected.std));
    const spreadOnly = ensembleMoments(each.map((e) => e.mean));
    got.std.forEach((s, i) => expect(s).toBeGreaterThan(spreadOnly.std[i]));
    // Joint: each member's deviation from the mean over √M; the variance heads are the rest.
    const joint = await ensemble.predictJoint(graphs);
    expect(Array.from(joint.std)).toEqual(Array.from(got.std));
    each.forEach((e, k) =>
      e.mean.forEach((mu, i) =>
        expect(joint.deviations[k][i]).toBeCloseTo((mu - joint.mean[i]) / Math.sqrt(2), 12),
      ),
    );
    const restored = CgcnnDeepEnsemble.fromJSON(JSON.parse(JSON.stringify(ensemble.toJSON())));
    expect(Array.from((await restored.predict(graphs)).std)).toEqual(Array.from(got.std));
  });
});
