/**
 * The fused WGSL convolution (ml/webgpu) against the stock-op path on the same webgpu backend,
 * run on lavapipe (Mesa's CPU Vulkan device, infra/install-lavapipe.sh) so it needs no GPU.
 * Skips, saying why, where lavapipe is not installed; in CI (infra/test.sh installs it) that fails.
 */
import { lavapipeMissing, useLavapipeWebgpu } from '../../../../ml/backends/lavapipe';
import { tryWebgpu } from '../../../../ml/backends/webgpu';
import { batchTensors, collateGraphs, disposeBatch, type GraphBatch } from '../../../../ml/cgcnn/batch';
import { cgcnnConfig } from '../../../../ml/cgcnn/config';
import { createVariables, disposeVariables, initialWeights } from '../../../../ml/cgcnn/params';
import { tf } from '../../../../ml/tf';
import { FlatAdam } from '../../../../ml/training/adam';
import { trainableVariables, trainStep } from '../../../../ml/training/step';
import { countDispatches } from '../../../../ml/webgpu/dispatches';
import { compareFusedWithStock } from '../../../../ml/webgpu/fusedCheck';
import { FUSED_CONV_FLAG } from '../../../../ml/webgpu/fusedConv';
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
    tf.env().set(FUSED_CONV_FLAG, true);
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

  it('needs far fewer dispatches per training step: 18 fused kernels per convolution', async () => {
    const config = cgcnnConfig();
    const counts: Record<string, { dispatches: number; byProgram: Record<string, number> }> = {};
    for (const fused of [false, true]) {
      tf.env().set(FUSED_CONV_FLAG, fused);
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
    const fusedKernels = Object.entries(counts.true.byProgram)
      .filter(([name]) => name.startsWith('crucible_'))
      .reduce((s, [, k]) => s + k, 0);
    expect(fusedKernels).toBe(18 * config.convLayers);
    expect(Object.keys(counts.false.byProgram).some((name) => name.startsWith('crucible_'))).toBe(false);
    expect(counts.true.dispatches * 3).toBeLessThan(counts.false.dispatches);
  }, 300_000);
});
