/**
 * Runs the BoTorch reference campaign (botorch_baseline.py) in the MD venv, which also holds
 * BoTorch/GPyTorch (infra/requirements-md.txt: one torch for both): JSON in on stdin, the
 * measured order out on stdout.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CampaignSettings } from './campaign';

export const BOTORCH_SCRIPT = path.join(__dirname, 'botorch_baseline.py');

const INSTALL = 'export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)"';

/** $CRUCIBLE_MD_PYTHON, else the venv that infra/install-md-python.sh creates. */
export function botorchPython(): string {
  // test.sh exports it empty when the install failed outside CI: fall back to the default path.
  const fromEnv = process.env.CRUCIBLE_MD_PYTHON;
  if (fromEnv) return fromEnv;
  const home = process.env.CRUCIBLE_HOME ?? path.join(os.homedir(), '.cache', 'crucible');
  return path.join(home, 'venv-md', 'bin', 'python');
}

let cachedReason: string | null | undefined;

/**
 * Why BoTorch cannot run here, or null when it can. Importing is checked, not just the path:
 * a venv-md made before BoTorch joined its requirements has torch but not botorch.
 */
export function botorchUnavailableReason(): string | null {
  if (cachedReason !== undefined) return cachedReason;
  const py = botorchPython();
  if (!fs.existsSync(py)) {
    cachedReason = `no Python at ${py} (${INSTALL})`;
  } else {
    try {
      execFileSync(py, ['-c', 'import botorch, gpytorch, sklearn'], { stdio: 'pipe' });
      cachedReason = null;
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '')
        .trim()
        .split('\n')
        .at(-1);
      cachedReason = `${py} cannot import botorch/gpytorch/sklearn (${stderr}); re-run bash infra/install-md-python.sh`;
    }
  }
  return cachedReason;
}

export function botorchAvailable(): boolean {
  return botorchUnavailableReason() === null;
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
