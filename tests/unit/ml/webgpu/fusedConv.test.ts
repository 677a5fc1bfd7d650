/**
 * The fused WGSL convolution (ml/webgpu) against the stock-op path on the same webgpu backend,
 * run on lavapipe (Mesa's CPU Vulkan device, infra/install-lavapipe.sh) so it needs no GPU.
 * Skips, saying why, where lavapipe is not installed; in CI (infra/test.sh installs it) that fails.
 */
import { lavapipeMissing, useLavapipeWebgpu } from '../../../../ml/backends/lavapipe';
import { tryWebgpu } from '../../../../ml/backends/webgpu';
import { batchTensors, collateGraphs, disposeBatch, type GraphBatch } from '../../../../ml/cgcnn/batch';
import { cgcnnConfig } from '../../../../ml/cgcnn/config';
import { createVariables, disposeVariables, initialWeights, paramSpecs } from '../../../../ml/cgcnn/params';
import { seededRandom } from '../../../../ml/random';
import { tf } from '../../../../ml/tf';
import { FlatAdam } from '../../../../ml/training/adam';
import { predictBatch, trainableVariables, trainStep } from '../../../../ml/training/step';
import { countDispatches } from '../../../../ml/webgpu/dispatches';
import { compareFusedWithStock, maxAbs, relativeError } from '../../../../ml/webgpu/fusedCheck';
import { WEBGPU_FUSED_FLAG } from '../../../../ml/webgpu/flag';
import { sampleGraphs } from '../sampleGraphs';

const missing = lavapipeMissing();
if (missing && process.env.CI === 'true') throw new Error(`CI must run the WebGPU tests: ${missing}`);
const suite = missing ? describe.skip : describe;
const title = `fused CGCNN convolution on webgpu (lavapipe)${missing ? ` — skipped: ${missing}` : ''}`;

// Five real crystals of 12, 8, 8, 8 and 4 atoms (40 atoms, 480 neighbour slots).
const IDS = ['7206075', '1000041', '9011050', '9012304', '1101051'];

suite(title, () => {
  const { graphs, targets: raw } = sampleGraphs(IDS);
  const host = collateGraphs(graphs);
  let batch: GraphBatch;
  let targets: tf.Tensor;

  beforeAll(async () => {
    // tryWebgpu as select.ts calls it takes a GPU where there is one and never the CPU device.
    const production = await tryWebgpu();
    if (production.ok) expect(production.detail).not.toMatch(/software/);
    else expect(production.detail).toMatch(/software adapter \(.*llvmpipe/);
    const attempt = await useLavapipeWebgpu();
    if (!attempt.ok)
      throw new Error(`lavapipe is installed but webgpu did not start on it: ${attempt.detail}`);
    expect(tf.getBackend()).toBe('webgpu');
    batch = batchTensors(host);
    targets = tf.tensor2d(
      raw.map((t) => (t - 5) / 3),
      [raw.length, 1],
    );
  }, 120_000);

  afterAll(() => {
    if (batch) disposeBatch(batch);
    targets?.dispose();
    tf.env().set(WEBGPU_FUSED_FLAG, true);
  });

  it('has the 40-atom batch the comparison is about', () => {
    expect(host.numAtoms).toBe(40);
    expect(new Set(graphs.map((g) => g.numAtoms)).size).toBeGreaterThan(2);
  });

  // Paper widths (64 features, 3 convolutions), then 20 features: columns not a multiple of the
  // kernels' 8-column workgroup blocks, so their bounds checks are exercised.
  for (const overrides of [{}, { atomFeatureLength: 20, convLayers: 2 }]) {
    const config = cgcnnConfig(overrides);
    it(`gives the stock path's outputs, loss, gradients and running statistics (${JSON.stringify(overrides)})`, async () => {
      const c = await compareFusedWithStock(config, batch, targets);
      expect(c.lossRelative).toBeLessThan(1e-5);
      expect(c.outputRelative).toBeLessThan(1e-5);
      expect(Object.keys(c.gradRelative)).toHaveLength(Object.keys(c.stock.grads).length - config.convLayers);
      for (const [name, error] of Object.entries(c.gradRelative))
        expect([name, error < 1e-4]).toEqual([name, true]);
      expect(Object.keys(c.biasScale)).toHaveLength(config.convLayers);
      for (const [name, { fused, stock }] of Object.entries(c.biasScale))
        expect([name, fused < 1e-5, stock < 1e-5]).toEqual([name, true, true]);
      expect(Object.keys(c.runningStatsRelative)).toHaveLength(4 * config.convLayers);
      for (const [name, error] of Object.entries(c.runningStatsRelative))
        expect([name, error < 1e-5]).toEqual([name, true]);
    }, 300_000);
  }

  it('inference (running statistics): the fused convolutions give the stock outputs in 5 dispatches each', async () => {
    const config = cgcnnConfig();
    tf.env().set(WEBGPU_FUSED_FLAG, false);
    const vars = createVariables(config, initialWeights(config, 5));
    const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
    // Two steps move the running statistics off their initial 0 / 1.
    for (let k = 0; k < 2; k += 1) trainStep(config, vars, optimizer, batch, targets).dispose();
    expect(maxAbs(await vars.get('convs.1.bn1.runningMean')!.data())).toBeGreaterThan(1e-3);
    const predict = async (fused: boolean) => {
      tf.env().set(WEBGPU_FUSED_FLAG, fused);
      let out: Float32Array = new Float32Array();
      const count = await countDispatches(async () => {
        const y = predictBatch(config, vars, batch);
        out = Float32Array.from(await y.data());
        y.dispose();
      });
      return { out, count };
    };
    const stock = await predict(false);
    const fused = await predict(true);
    expect(relativeError(fused.out, stock.out)).toBeLessThan(1e-5);
    const fusedKernels = Object.entries(fused.count.byProgram)
      .filter(([name]) => name.startsWith('crucible_'))
      .reduce((s, [, k]) => s + k, 0);
    expect(fusedKernels).toBe(5 * config.convLayers);
    expect(fused.count.dispatches * 2).toBeLessThan(stock.count.dispatches);
    optimizer.dispose();
    disposeVariables(vars);
  }, 300_000);

  it("FlatAdam: the fused update gives the stock ops' moments and parameters", async () => {
    const shapes = [[5, 7], [7], [3, 2, 4]];
    const random = seededRandom(3);
    const values = (size: number) => Float32Array.from({ length: size }, () => random() * 2 - 1);
    const start = shapes.map((shape) => values(shape.reduce((a, b) => a * b, 1)));
    const steps = [0, 1, 2].map(() => start.map((v) => values(v.length)));
    const run = async (fused: boolean) => {
      tf.env().set(WEBGPU_FUSED_FLAG, fused);
      const params = shapes.map((shape, i) => tf.variable(tf.tensor(start[i], shape)));
      const adam = new FlatAdam(params, { learningRate: 0.01 });
      for (const grads of steps) {
        const g = grads.map((v, i) => tf.tensor(v, shapes[i]));
        adam.applyGradients(g);
        tf.dispose(g);
      }
      const state = await adam.state();
      const out = [
        ...(await Promise.all(params.map(async (p) => Float32Array.from(await p.data())))),
        state['adam.m'].values,
        state['adam.v'].values,
      ];
      adam.dispose();
      tf.dispose(params);
      return out;
    };
    const stock = await run(false);
    const fused = await run(true);
    stock.forEach((ref, i) => expect(relativeError(fused[i], ref)).toBeLessThan(1e-6));
    // The parameters moved (3 steps of ~lr each), so equality is not the starting point's.
    expect(maxAbs(stock[0].map((v, k) => v - start[0][k]))).toBeGreaterThan(0.02);
  }, 120_000);

  it('trains the same over three steps (losses; weights except fc_full biases and what follows them)', async () => {
    const config = cgcnnConfig();
    const train = async (fused: boolean) => {
      tf.env().set(WEBGPU_FUSED_FLAG, fused);
      const vars = createVariables(config, initialWeights(config, 11));
      const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
      const losses: number[] = [];
      for (let k = 0; k < 3; k += 1) {
        const loss = trainStep(config, vars, optimizer, batch, targets);
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      const weights: Record<string, Float32Array> = {};
      for (const [name, v] of vars) weights[name] = Float32Array.from(await v.data());
      optimizer.dispose();
      disposeVariables(vars);
      return { losses, weights };
    };
    const stock = await train(false);
    const fused = await train(true);
    stock.losses.forEach((l, k) => expect(Math.abs(fused.losses[k] - l) / l).toBeLessThan(1e-4));
    // The later steps' losses come from updated weights (so they compare the updates too).
    expect(Math.abs(stock.losses[2] - stock.losses[0]) / stock.losses[0]).toBeGreaterThan(1e-2);
    for (const [name, ref] of Object.entries(stock.weights)) {
      // A zero-gradient bias gets Adam steps of ±lr from round-off noise on either path, and
      // BN1's running mean (the batch mean of fc_full's output) moves with it; BatchNorm makes
      // everything else independent of it (the one-step comparison covers them exactly).
      if (/^convs\.\d+\.(bias|bn1\.runningMean)$/.test(name)) continue;
      expect([name, relativeError(fused.weights[name], ref) < 1e-4]).toEqual([name, true]);
    }
  }, 300_000);

  it('needs far fewer dispatches per training step: 18 fused kernels per convolution, 2 + 1 per parameter for Adam', async () => {
    const config = cgcnnConfig();
    const counts: Record<string, { dispatches: number; byProgram: Record<string, number> }> = {};
    for (const fused of [false, true]) {
      tf.env().set(WEBGPU_FUSED_FLAG, fused);
      const vars = createVariables(config, initialWeights(config, 7));
      const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
      trainStep(config, vars, optimizer, batch, targets).dispose(); // compiles the pipelines
      counts[String(fused)] = await countDispatches(async () => {
        const loss = trainStep(config, vars, optimizer, batch, targets);
        await loss.data();
        loss.dispose();
      });
      optimizer.dispose();
      disposeVariables(vars);
    }
    const fusedKernels = (adam: boolean) =>
      Object.entries(counts.true.byProgram)
        .filter(([name]) => name.startsWith('crucible_') && name.startsWith('crucible_adam') === adam)
        .reduce((s, [, k]) => s + k, 0);
    expect(fusedKernels(false)).toBe(18 * config.convLayers);
    expect(fusedKernels(true)).toBe(2 + paramSpecs(config).filter((p) => p.trainable).length);
    expect(Object.keys(counts.false.byProgram).some((name) => name.startsWith('crucible_'))).toBe(false);
    expect(counts.true.dispatches * 3).toBeLessThan(counts.false.dispatches);
  }, 300_000);
});
