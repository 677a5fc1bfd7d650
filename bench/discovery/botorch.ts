/**
 * Runs the BoTorch reference campaign (botorch_baseline.py) in the benchmark's separate venv:
 * JSON in on stdin, the measured order out on stdout.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CampaignSettings } from './campaign';

export const BOTORCH_SCRIPT = path.join(__dirname, 'botorch_baseline.py');

/** $CRUCIBLE_BENCH_PYTHON, else the venv that install-botorch.sh creates. */
export function botorchPython(): string {
  return (
    process.env.CRUCIBLE_BENCH_PYTHON ??
    path.join(
      process.env.CRUCIBLE_HOME ?? path.join(os.homedir(), '.cache', 'crucible'),
      'venv-bench',
      'bin',
      'python',
    )
  );
}

export function botorchAvailable(): boolean {
  return fs.existsSync(botorchPython());
}

export function runBotorchCampaign(
  X: number[][],
  y: readonly number[],
  seedIndices: readonly number[],
  settings: CampaignSettings,
  seed: number,
): number[] {
  const input = {
    X,
    y,
    seed_indices: seedIndices,
    q: settings.q,
    budget: settings.budget,
    noise_std: settings.noiseStd,
    seed,
  };
  const out = execFileSync(botorchPython(), [BOTORCH_SCRIPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    // One torch thread per campaign: the benchmark already runs campaigns in parallel.
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  const parsed = JSON.parse(out) as { order: number[] };
  return parsed.order;
}
