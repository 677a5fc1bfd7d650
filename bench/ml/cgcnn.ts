/**
 * CGCNN training-step and forward-pass time per TensorFlow.js backend on one fixed batch, with
 * the pure-JS cpu backend in the same process as the baseline. Prints JSON.
 *
 *   tsx bench/ml/cgcnn.ts [--crystals 64] [--atoms 16] [--reps 5] [--cpu-reps 1]
 *                         [--backends webgpu,wasm,cpu] [--out file.json] [--probe]
 * The model is the paper's default CGCNN (64 / 3 conv / 128); Adam, regression.
 * --probe only reports which backend selectBackend picks and why. CRUCIBLE_TF_FLAGS
 * ("NAME=value,...") sets tfjs flags first, e.g. WEBGPU_CPU_FORWARD=false.
 */
import * as fs from 'node:fs';
import { selectBackend, useBackend, type BackendName } from '../../ml/backends/select';
import { batchTensors, disposeBatch } from '../../ml/cgcnn/batch';
import { cgcnnConfig } from '../../ml/cgcnn/config';
import { createVariables, disposeVariables, initialWeights } from '../../ml/cgcnn/params';
import { tf } from '../../ml/tf';
import { FlatAdam } from '../../ml/training/adam';
import { predictBatch, targetTensor, trainableVariables, trainStep } from '../../ml/training/step';
import { syntheticBatch } from './syntheticBatch';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface BackendTiming {
  backend: string;
  detail: string;
  ok: boolean;
  error?: string;
  stepMs?: number;
  forwardMs?: number;
  stepSamplesMs?: number[];
  forwardSamplesMs?: number[];
  stepSpeedupVsCpu?: number;
  forwardSpeedupVsCpu?: number;
  firstStepMs?: number;
  /** Loss of the first step and eval outputs before it: equal weights, so equal across backends. */
  firstStepLoss?: number;
  initialOutputs?: number[];
  /** max |Δ| of initialOutputs and |Δ loss| relative to the cpu backend. */
  agreementVsCpu?: { maxOutputDiff: number; lossRelDiff: number };
}

async function timeBackend(
  name: BackendName,
  reps: number,
  host: ReturnType<typeof syntheticBatch>,
): Promise<BackendTiming> {
  let detail: string;
  try {
    detail = (await useBackend(name)).detail;
  } catch (error) {
    return { backend: name, detail: '', ok: false, error: (error as Error).message };
  }
  const tfFlags = applyTfFlags();
  if (Object.keys(tfFlags).length > 0) detail += ` flags ${JSON.stringify(tfFlags)}`;
  const config = cgcnnConfig();
  const vars = createVariables(config, initialWeights(config, 1));
  const batch = batchTensors(host);
  const y = targetTensor(
    config,
    Float32Array.from({ length: host.numCrystals }, (_, i) => Math.sin(i)),
  );
  const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
  let lastLoss = NaN;
  const step = async (): Promise<number> => {
    const t0 = performance.now();
    const loss = trainStep(config, vars, optimizer, batch, y);
    lastLoss = (await loss.data())[0]; // waits for the device: the step is done when its loss is readable
    loss.dispose();
    return performance.now() - t0;
  };
  const forward = async (): Promise<number> => {
    const t0 = performance.now();
    const out = predictBatch(config, vars, batch);
    await out.data();
    out.dispose();
    return performance.now() - t0;
  };
  try {
    // Same weights and batch on every backend: these two numbers must agree across backends.
    const initial = predictBatch(config, vars, batch);
    const initialOutputs = Array.from(await initial.data());
    initial.dispose();
    const firstStepMs = await step(); // includes kernel compilation / shader creation
    const firstStepLoss = lastLoss;
    await forward();
    const steps: number[] = [];
    const forwards: number[] = [];
    for (let r = 0; r < reps; r += 1) steps.push(await step());
    for (let r = 0; r < reps; r += 1) forwards.push(await forward());
    return {
      backend: name,
      detail,
      ok: true,
      firstStepMs,
      firstStepLoss,
      initialOutputs,
      stepMs: median(steps),
      forwardMs: median(forwards),
      stepSamplesMs: steps.map((x) => Math.round(x * 10) / 10),
      forwardSamplesMs: forwards.map((x) => Math.round(x * 10) / 10),
    };
  } catch (error) {
    return { backend: name, detail, ok: false, error: (error as Error).message };
  } finally {
    optimizer.dispose();
    tf.dispose(y);
    disposeBatch(batch);
    disposeVariables(vars);
  }
}

/**
 * CRUCIBLE_TF_FLAGS, applied after a backend is active: backend flags (WEBGPU_*) exist only once
 * that backend's module has registered them. Returns what was set and what could not be.
 */
function applyTfFlags(): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const item of (process.env.CRUCIBLE_TF_FLAGS ?? '').split(',').filter((x) => x.includes('='))) {
    const [name, value] = item.split('=');
    try {
      tf.env().set(name, value === 'true' ? true : value === 'false' ? false : Number(value));
      flags[name] = value;
    } catch (error) {
      flags[name] = `not set: ${(error as Error).message}`;
    }
  }
  return flags;
}

async function main(): Promise<void> {
  if (process.argv.includes('--probe')) {
    const lines: string[] = [];
    const choice = await selectBackend({ log: (l) => lines.push(l) });
    process.stdout.write(
      `${JSON.stringify({ probe: true, choice, log: lines, tfFlags: applyTfFlags(), node: process.version }, null, 2)}\n`,
    );
    return;
  }
  const crystals = Number(arg('crystals', '64'));
  const atoms = Number(arg('atoms', '16'));
  const reps = Number(arg('reps', '5'));
  const cpuReps = Number(arg('cpu-reps', '1'));
  const backends = arg('backends', 'tensorflow,webgpu,wasm,cpu').split(',') as BackendName[];
  const host = syntheticBatch(crystals, atoms);
  const chosen = await selectBackend({ log: () => undefined }).catch((e: Error) => ({
    backend: 'none',
    detail: e.message,
    attempts: [],
  }));
  const results: BackendTiming[] = [];
  const report = {
    benchmark: 'cgcnn-step-forward',
    model: 'CGCNN paper defaults: atom 64, 3 conv, hidden 128, 1 hidden layer; Adam; regression',
    batch: {
      crystals,
      atomsPerCrystal: atoms,
      atoms: crystals * atoms,
      neighbors: 12,
      edgeFeatures: host.edgeInputLength,
    },
    reps,
    cpuReps,
    selected: { backend: chosen.backend, detail: chosen.detail, attempts: chosen.attempts },
    node: process.version,
    complete: false,
    results,
  };
  const out = arg('out', '');
  for (const name of backends) {
    results.push(await timeBackend(name, name === 'cpu' ? cpuReps : reps, host));
    process.stderr.write(`[bench] ${JSON.stringify(results[results.length - 1])}\n`);
    // Written after every backend, so a run cut short by a time limit still leaves its numbers.
    if (out) fs.writeFileSync(out, JSON.stringify(withSpeedups(report), null, 2));
  }
  report.complete = true;
  const text = JSON.stringify(withSpeedups(report), null, 2);
  if (out) fs.writeFileSync(out, text);
  process.stdout.write(`${text}\n`);
}

/** Speed-up of each backend over the cpu backend measured in the same process. */
function withSpeedups<T extends { results: BackendTiming[] }>(report: T): T {
  const cpu = report.results.find((r) => r.backend === 'cpu' && r.ok);
  for (const r of report.results) {
    if (!r.ok || !cpu?.stepMs || !cpu.forwardMs || !r.stepMs || !r.forwardMs) continue;
    r.stepSpeedupVsCpu = cpu.stepMs / r.stepMs;
    r.forwardSpeedupVsCpu = cpu.forwardMs / r.forwardMs;
    const ref = cpu.initialOutputs ?? [];
    r.agreementVsCpu = {
      maxOutputDiff: Math.max(0, ...(r.initialOutputs ?? []).map((v, i) => Math.abs(v - ref[i]))),
      lossRelDiff:
        Math.abs((r.firstStepLoss ?? NaN) - (cpu.firstStepLoss ?? NaN)) / Math.abs(cpu.firstStepLoss ?? NaN),
    };
  }
  return report;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
