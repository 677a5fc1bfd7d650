/**
 * `npm run bench -- cgcnn`: CGCNN training-step and forward-pass time per TensorFlow.js backend
 * on one fixed, seeded synthetic batch, and Xie & Grossman's PyTorch CGCNN (original
 * formulation, bench/ml/cgcnn_torch.py) on the same batch and the same CPU cores, run by this
 * script; the report's `best_train_ratio` is the fastest backend's step over PyTorch's.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useLavapipeWebgpu } from '../../ml/backends/lavapipe';
import { selectBackend, useBackend, type BackendName } from '../../ml/backends/select';
import { batchTensors, disposeBatch, type HostBatch } from '../../ml/cgcnn/batch';
import { cgcnnConfig } from '../../ml/cgcnn/config';
import { createVariables, disposeVariables, initialWeights } from '../../ml/cgcnn/params';
import { tf } from '../../ml/tf';
import { FlatAdam } from '../../ml/training/adam';
import {
  predictBatch,
  targetTensor,
  trainableVariables,
  trainStepMicroBatched,
  type MicroBatch,
} from '../../ml/training/step';
import { countDispatches } from '../../ml/webgpu/dispatches';
import { compareFusedWithStock } from '../../ml/webgpu/fusedCheck';
import { WEBGPU_FUSED_FLAG } from '../../ml/webgpu/flag';
import { sliceHostBatch, syntheticBatch } from './syntheticBatch';

export const USAGE = `npm run bench -- cgcnn -- [--atoms 10000] [--crystals 200] [--reps 3] [--cpu-reps 1]
    [--backends tensorflow,webgpu,wasm] [--conv fused,stock] [--max-atoms-per-pass 8192]
    [--torch-threads 0] [--no-torch] [--profile] [--out file.json] [--probe] [--check-fused]
  The issue's batch by default: 10,000 atoms in 200 crystals, 12 neighbours, 92 -> 64 atom
  features, 41 edge features, 3 convolutions, hidden 128; Adam, regression; seeded.
  Backends not present are reported with the reason. The pure-JS cpu backend takes ~100 s per
  10,000-atom step, so it runs only when named (--backends wasm,cpu); add it with a smaller batch
  for a quick comparison, e.g. --atoms 1024 --crystals 64 --backends wasm,cpu.
  wasm steps are split into passes of at most --max-atoms-per-pass atoms (its heap caps at 4 GiB).
  webgpu runs the convolutions both as fused WGSL kernels ("webgpu") and as stock tfjs ops
  ("webgpu-stock") on the same batch and weights (--conv picks), with compute dispatches per
  step counted. webgpu-software is the same on lavapipe, Mesa's CPU Vulkan device
  (infra/install-lavapipe.sh): a correctness and regression check whose times say nothing about
  a GPU; it needs a process without GPU webgpu (tfjs keeps one webgpu backend per process).
  PyTorch: CRUCIBLE_TORCH_PYTHON, else ~/.cache/crucible/torch-venv (infra/requirements-torch.txt);
  --torch-threads N pins its intra-op threads (0: torch's default, all cores).
  --profile adds one training step's kernel times per backend (tf.profile), largest first.
  --probe only reports which backend selectBackend picks and why. --check-fused only compares
  the fused convolution's loss, outputs, gradients and running statistics with the stock ops'
  on the first webgpu kind in --backends (the benchmark batch; max relative errors). CRUCIBLE_TF_FLAGS
  ("NAME=value,...") sets tfjs flags first, e.g. WEBGPU_CPU_FORWARD=false.`;

const TORCH_PYTHON =
  process.env.CRUCIBLE_TORCH_PYTHON ??
  path.join(os.homedir(), '.cache', 'crucible', 'torch-venv', 'bin', 'python');

function argOf(argv: string[], name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] ? argv[at + 1] : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface BackendTiming {
  backend: string;
  detail: string;
  ok: boolean;
  error?: string;
  stepMs?: number;
  forwardMs?: number;
  /** Process CPU time (user + system) per step and forward pass: steadier than wall time on a shared machine. */
  stepCpuMs?: number;
  forwardCpuMs?: number;
  /** Passes per step (wasm: the batch split by --max-atoms-per-pass). */
  passes?: number;
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
  /** --profile: one training step's kernel time by kernel (tf.profile), largest first. */
  kernels?: KernelShare[];
  /** webgpu: convolutions as fused WGSL kernels, or stock tfjs ops. */
  conv?: 'fused' | 'stock';
  /** webgpu: on lavapipe (CPU), not a GPU: times are no GPU measure. */
  software?: boolean;
  /** webgpu: compute dispatches of one training step (and per program). */
  dispatchesPerStep?: number;
  dispatchesByProgram?: Record<string, number>;
  dispatchesPerForward?: number;
  /** Fused runs: first-step loss and initial outputs against the stock run on the same backend. */
  agreementVsStock?: { maxOutputDiff: number; lossRelDiff: number };
}

/** One timed configuration: a backend, and for webgpu the device kind and the convolution kernels. */
interface BenchTarget {
  label: string;
  backend: BackendName;
  software?: boolean;
  conv?: 'fused' | 'stock';
}

/** --backends names → targets; webgpu and webgpu-software expand into one target per --conv. */
export function timingTargets(names: string[], convs: ('fused' | 'stock')[]): BenchTarget[] {
  if (names.includes('webgpu') && names.includes('webgpu-software'))
    throw new Error(
      '--backends: webgpu and webgpu-software need separate runs (tfjs keeps one webgpu backend per process)',
    );
  return names.flatMap((name): BenchTarget[] => {
    if (name !== 'webgpu' && name !== 'webgpu-software')
      return [{ label: name, backend: name as BackendName }];
    const software = name === 'webgpu-software';
    return convs.map((conv) => ({
      label: conv === 'fused' ? name : `${name}-stock`,
      backend: 'webgpu',
      software,
      conv,
    }));
  });
}

interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
}

/** Runs one step under tf.profile and sums kernel time per kernel name. */
async function profileStep(step: () => tf.Tensor): Promise<KernelShare[]> {
  const info = await tf.profile(() => {
    const loss = step();
    loss.dispose();
  });
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === 'number' ? t : 0;
    // Products are listed per shape (they dominate); customGrad's 'forward' wraps kernels
    // already counted, so it is left out.
    if (k.name === 'forward') continue;
    const key =
      k.name === 'BatchMatMul' ? `BatchMatMul ${k.inputShapes.map((x) => `[${x}]`).join('x')}` : k.name;
    const entry = byName.get(key) ?? { calls: 0, ms: 0 };
    byName.set(key, { calls: entry.calls + 1, ms: entry.ms + ms });
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  return [...byName.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: round(e.ms), share: round(e.ms / total, 3) }))
    .sort((a, b) => b.ms - a.ms);
}

/** Consecutive crystal ranges of at most maxAtoms atoms (≥ 1 crystal each). */
function passRanges(host: HostBatch, maxAtoms: number): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  let atoms = 0;
  for (let c = 0; c < host.numCrystals; c += 1) {
    if (c > from && atoms + host.atomCounts[c] > maxAtoms) {
      ranges.push([from, c]);
      from = c;
      atoms = 0;
    }
    atoms += host.atomCounts[c];
  }
  ranges.push([from, host.numCrystals]);
  return ranges;
}

async function timeBackend(
  target: BenchTarget,
  reps: number,
  host: HostBatch,
  maxAtomsPerPass: number,
  profile = false,
): Promise<BackendTiming> {
  const name = target.backend;
  const label = target.label;
  const variant = { conv: target.conv, software: target.software };
  let detail: string;
  try {
    if (target.software) {
      const attempt = await useLavapipeWebgpu();
      if (!attempt.ok) throw new Error(`webgpu-software unavailable: ${attempt.detail}`);
      detail = attempt.detail;
      if (!/software/.test(detail))
        throw new Error(`webgpu-software: this process already runs webgpu on ${detail}`);
    } else {
      detail = (await useBackend(name)).detail;
    }
  } catch (error) {
    return { backend: label, ...variant, detail: '', ok: false, error: (error as Error).message };
  }
  if (target.conv) tf.env().set(WEBGPU_FUSED_FLAG, target.conv === 'fused');
  const tfFlags = applyTfFlags();
  if (Object.keys(tfFlags).length > 0) detail += ` flags ${JSON.stringify(tfFlags)}`;
  const config = cgcnnConfig();
  const vars = createVariables(config, initialWeights(config, 1));
  const targets = benchTargets(host.numCrystals);
  // The GPU and native backends take the batch in one pass; wasm's heap does not hold it.
  const ranges =
    name === 'wasm' || name === 'cpu' ? passRanges(host, maxAtomsPerPass) : [[0, host.numCrystals]];
  const parts: MicroBatch[] = ranges.map(([from, to]) => ({
    batch: batchTensors(ranges.length === 1 ? host : sliceHostBatch(host, from, to)),
    targets: targetTensor(config, targets.subarray(from, to)),
    weight: (to - from) / host.numCrystals,
  }));
  const optimizer = new FlatAdam(trainableVariables(vars), { learningRate: 0.01 });
  let lastLoss = NaN;
  const cpuSteps: number[] = [];
  const cpuForwards: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since);
    return (d.user + d.system) / 1000;
  };
  const step = async (): Promise<number> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const loss = trainStepMicroBatched(config, vars, optimizer, parts);
    lastLoss = (await loss.data())[0]; // waits for the device: the step is done when its loss is readable
    loss.dispose();
    cpuSteps.push(cpuMs(c0));
    return performance.now() - t0;
  };
  const predict = async (): Promise<number[]> => {
    const values: number[] = [];
    for (const part of parts) {
      const out = predictBatch(config, vars, part.batch);
      values.push(...(await out.data()));
      out.dispose();
    }
    return values;
  };
  const forward = async (): Promise<number> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await predict();
    cpuForwards.push(cpuMs(c0));
    return performance.now() - t0;
  };
  try {
    // Same weights and batch on every backend: these two numbers must agree across backends.
    const initialOutputs = (await predict()).slice(0, 64);
    const firstStepMs = await step(); // includes kernel compilation / shader creation
    const firstStepLoss = lastLoss;
    await forward();
    cpuSteps.length = 0;
    cpuForwards.length = 0;
    const steps: number[] = [];
    const forwards: number[] = [];
    for (let r = 0; r < reps; r += 1) steps.push(await step());
    for (let r = 0; r < reps; r += 1) forwards.push(await forward());
    const kernels = profile
      ? await profileStep(() => trainStepMicroBatched(config, vars, optimizer, parts))
      : undefined;
    const dispatches = name === 'webgpu' ? await countDispatches(step) : undefined;
    const forwardDispatches = name === 'webgpu' ? await countDispatches(forward) : undefined;
    return {
      kernels,
      backend: label,
      ...variant,
      dispatchesPerStep: dispatches?.dispatches,
      dispatchesPerForward: forwardDispatches?.dispatches,
      dispatchesByProgram: dispatches?.byProgram,
      detail,
      ok: true,
      passes: parts.length,
      firstStepMs,
      firstStepLoss,
      initialOutputs,
      stepMs: median(steps),
      forwardMs: median(forwards),
      stepCpuMs: median(cpuSteps),
      forwardCpuMs: median(cpuForwards),
      stepSamplesMs: steps.map((x) => Math.round(x * 10) / 10),
      forwardSamplesMs: forwards.map((x) => Math.round(x * 10) / 10),
    };
  } catch (error) {
    return { backend: label, ...variant, detail, ok: false, error: (error as Error).message };
  } finally {
    tf.env().set(WEBGPU_FUSED_FLAG, true);
    optimizer.dispose();
    for (const part of parts) {
      tf.dispose(part.targets);
      disposeBatch(part.batch);
    }
    disposeVariables(vars);
  }
}

/** Regression targets of the benchmark, the same for tfjs and PyTorch. */
function benchTargets(crystals: number): Float32Array {
  return Float32Array.from({ length: crystals }, (_, i) => Math.sin(i));
}

export interface TorchTiming {
  train_ms: number;
  forward_ms: number;
  train_cpu_ms: number;
  forward_cpu_ms: number;
  first_step_ms: number;
  first_step_loss: number;
  train_samples_ms: number[];
  forward_samples_ms: number[];
  threads: number;
  torch_version: string;
}

/** Runs bench/ml/cgcnn_torch.py on the same batch (raw float32/int32 files in a temp folder). */
function timeTorch(host: HostBatch, reps: number, threads: number): TorchTiming {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-cgcnn-bench-'));
  try {
    const write = (name: string, a: Float32Array | Int32Array) =>
      fs.writeFileSync(path.join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    write('atom_fea.f32', host.atomFeatures);
    write('nbr_fea.f32', host.edgeFeatures);
    write('nbr_idx.i32', host.neighborIndices);
    write('crystal.i32', host.crystalIndex);
    write('targets.f32', benchTargets(host.numCrystals));
    const config = cgcnnConfig();
    fs.writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({
        crystals: host.numCrystals,
        atoms: host.numAtoms,
        neighbors: host.maxNeighbors,
        atom_input: host.atomInputLength,
        edge_input: host.edgeInputLength,
        atom_fea_len: config.atomFeatureLength,
        n_conv: config.convLayers,
        h_fea_len: config.hiddenLength,
        reps,
        lr: 0.01,
        threads,
      }),
    );
    const out = execFileSync(TORCH_PYTHON, [path.join(__dirname, 'cgcnn_torch.py'), dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out) as TorchTiming;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
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

export async function cgcnnBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const arg = (name: string, fallback: string) => argOf(argv, name, fallback);
  if (argv.includes('--probe')) {
    const lines: string[] = [];
    const choice = await selectBackend({ log: (l) => lines.push(l) });
    return { probe: true, choice, log: lines, tfFlags: applyTfFlags(), node: process.version };
  }
  const crystals = Number(arg('crystals', '200'));
  const atoms = Number(arg('atoms', '10000'));
  if (!(crystals > 0 && atoms >= crystals && atoms % crystals === 0))
    throw new Error(`--atoms (${atoms}) must be a positive multiple of --crystals (${crystals})`);
  if (argv.includes('--check-fused')) return checkFused(arg('backends', 'webgpu'), crystals, atoms);
  const reps = Number(arg('reps', '3'));
  const cpuReps = Number(arg('cpu-reps', '1'));
  const maxAtomsPerPass = Number(arg('max-atoms-per-pass', '8192'));
  const torchThreads = Number(arg('torch-threads', '0'));
  const convs = arg('conv', 'fused,stock').split(',') as ('fused' | 'stock')[];
  if (convs.some((c) => c !== 'fused' && c !== 'stock'))
    throw new Error(`--conv: expected fused and/or stock`);
  const runs = timingTargets(arg('backends', 'tensorflow,webgpu,wasm').split(','), convs);
  const host = syntheticBatch(crystals, atoms / crystals);
  const chosen = await selectBackend({ log: () => undefined }).catch((e: Error) => ({
    backend: 'none',
    detail: e.message,
    attempts: [],
  }));
  const results: BackendTiming[] = [];
  const report: BenchReport = {
    benchmark: 'cgcnn-step-forward',
    model:
      'CGCNN paper defaults: atom 64, 3 conv, hidden 128, 1 hidden layer; Adam (lr 0.01); MSE regression',
    batch: {
      crystals,
      atomsPerCrystal: atoms / crystals,
      atoms,
      neighbors: host.maxNeighbors,
      atomInput: host.atomInputLength,
      edgeFeatures: host.edgeInputLength,
      seed: 42,
    },
    reps,
    cpuReps,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`,
    selected: { backend: chosen.backend, detail: chosen.detail, attempts: chosen.attempts },
    node: process.version,
    backends: {},
    pytorch_cpu: null,
    best_train_ratio: null,
    best_forward_ratio: null,
    complete: false,
    results,
  };
  const out = arg('out', '');
  const save = () => {
    if (out) fs.writeFileSync(out, JSON.stringify(summarize(report), null, 2));
  };
  if (!argv.includes('--no-torch')) {
    if (!fs.existsSync(TORCH_PYTHON)) {
      report.pytorch_error = `no PyTorch python at ${TORCH_PYTHON} (infra/requirements-torch.txt)`;
    } else {
      try {
        report.pytorch_cpu = timeTorch(host, reps, torchThreads);
        process.stderr.write(`[bench] pytorch_cpu ${JSON.stringify(report.pytorch_cpu)}\n`);
      } catch (error) {
        report.pytorch_error = (error as Error).message.split('\n')[0];
      }
    }
    save();
  }
  for (const target of runs) {
    const timing = await timeBackend(
      target,
      target.backend === 'cpu' ? cpuReps : reps,
      host,
      maxAtomsPerPass,
      argv.includes('--profile'),
    );
    results.push(timing);
    process.stderr.write(`[bench] ${JSON.stringify({ ...timing, initialOutputs: undefined })}\n`);
    save(); // after every backend, so a run cut short by a time limit still leaves its numbers
  }
  report.complete = true;
  save();
  return summarize(report);
}

/** --check-fused: fused vs stock convolution on webgpu (GPU) or webgpu-software, as the lavapipe test does. */
async function checkFused(
  backends: string,
  crystals: number,
  atoms: number,
): Promise<Record<string, unknown>> {
  const kind = backends.split(',').find((b) => b === 'webgpu' || b === 'webgpu-software') ?? 'webgpu';
  const attempt =
    kind === 'webgpu-software'
      ? await useLavapipeWebgpu()
      : await useBackend('webgpu').catch((e: Error) => ({ ok: false, detail: e.message }));
  if (!attempt.ok) return { check: 'fused-vs-stock', ok: false, error: attempt.detail };
  const host = syntheticBatch(crystals, atoms / crystals);
  const config = cgcnnConfig();
  const batch = batchTensors(host);
  const targets = targetTensor(config, benchTargets(crystals));
  try {
    const c = await compareFusedWithStock(config, batch, targets);
    const tolerance = 1e-4;
    return {
      check: 'fused-vs-stock',
      backend: attempt.detail,
      batch: { crystals, atoms },
      ok: c.worst < tolerance && Object.values(c.biasScale).every((b) => b.fused < 1e-5),
      tolerance,
      worst: c.worst,
      loss: { fused: c.fused.loss, stock: c.stock.loss, relative: c.lossRelative },
      outputRelative: c.outputRelative,
      gradRelative: c.gradRelative,
      biasScale: c.biasScale,
      runningStatsRelative: c.runningStatsRelative,
    };
  } finally {
    disposeBatch(batch);
    targets.dispose();
  }
}

interface BenchReport extends Record<string, unknown> {
  backends: Record<
    string,
    {
      train_ms: number;
      forward_ms: number;
      train_cpu_ms?: number;
      forward_cpu_ms?: number;
      dispatches_per_step?: number;
      dispatches_per_forward?: number;
      software?: boolean;
    }
  >;
  /** webgpu / webgpu-software: stock-op step time over fused step time, and the dispatch counts. */
  fused_vs_stock?: Record<
    string,
    { stock_ms: number; fused_ms: number; speedup: number; dispatches: [number, number] }
  >;
  pytorch_cpu: TorchTiming | null;
  pytorch_error?: string;
  best_train_ratio: number | null;
  best_forward_ratio: number | null;
  best_train_cpu_ratio?: number;
  results: BackendTiming[];
}

/** Fills the summary fields (backends, ratios to PyTorch) and the speed-ups over cpu. */
function summarize(report: BenchReport): BenchReport {
  withSpeedups(report);
  const ok = report.results.filter((r) => r.ok && r.stepMs !== undefined && r.forwardMs !== undefined);
  report.backends = Object.fromEntries(
    ok.map((r) => [
      r.backend,
      {
        train_ms: round(r.stepMs as number),
        forward_ms: round(r.forwardMs as number),
        train_cpu_ms: round(r.stepCpuMs as number),
        forward_cpu_ms: round(r.forwardCpuMs as number),
        dispatches_per_step: r.dispatchesPerStep,
        dispatches_per_forward: r.dispatchesPerForward,
        software: r.software,
      },
    ]),
  );
  report.fused_vs_stock = {};
  for (const fused of ok.filter((r) => r.conv === 'fused')) {
    const stock = ok.find((r) => r.backend === `${fused.backend}-stock`);
    if (!stock) continue;
    report.fused_vs_stock[fused.backend] = {
      stock_ms: round(stock.stepMs as number),
      fused_ms: round(fused.stepMs as number),
      speedup: round((stock.stepMs as number) / (fused.stepMs as number), 2),
      dispatches: [stock.dispatchesPerStep ?? NaN, fused.dispatchesPerStep ?? NaN],
    };
    fused.agreementVsStock = agreement(fused, stock);
  }
  // Ratios to PyTorch: hardware backends only (lavapipe runs WGSL on the CPU).
  const hardware = ok.filter((r) => !r.software);
  const torch = report.pytorch_cpu;
  if (torch && hardware.length > 0) {
    report.best_train_ratio = round(Math.min(...hardware.map((r) => r.stepMs as number)) / torch.train_ms, 3);
    report.best_forward_ratio = round(
      Math.min(...hardware.map((r) => r.forwardMs as number)) / torch.forward_ms,
      3,
    );
    // The same ratio in CPU time (what the cores spent), which other jobs on the machine distort less.
    report.best_train_cpu_ratio = round(
      Math.min(...hardware.map((r) => r.stepCpuMs as number)) / torch.train_cpu_ms,
      3,
    );
  }
  return report;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Speed-up of each backend over the cpu backend measured in the same process. */
function withSpeedups<T extends { results: BackendTiming[] }>(report: T): T {
  const cpu = report.results.find((r) => r.backend === 'cpu' && r.ok);
  for (const r of report.results) {
    if (!r.ok || !cpu?.stepMs || !cpu.forwardMs || !r.stepMs || !r.forwardMs) continue;
    r.stepSpeedupVsCpu = cpu.stepMs / r.stepMs;
    r.forwardSpeedupVsCpu = cpu.forwardMs / r.forwardMs;
    r.agreementVsCpu = agreement(r, cpu);
  }
  return report;
}

/** Initial outputs and first-step loss of one run against a reference run (same weights and batch). */
function agreement(r: BackendTiming, ref: BackendTiming): { maxOutputDiff: number; lossRelDiff: number } {
  const base = ref.initialOutputs ?? [];
  return {
    maxOutputDiff: Math.max(0, ...(r.initialOutputs ?? []).map((v, i) => Math.abs(v - base[i]))),
    lossRelDiff:
      Math.abs((r.firstStepLoss ?? NaN) - (ref.firstStepLoss ?? NaN)) / Math.abs(ref.firstStepLoss ?? NaN),
  };
}

if (require.main === module) {
  cgcnnBenchmark(process.argv.slice(2))
    .then((report) => process.stdout.write(`${JSON.stringify(report, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    });
}
