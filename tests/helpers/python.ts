import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Runs a Python reference script (pymatgen, scikit-learn, scipy from infra/install-python.sh)
 * with JSON on stdin and returns its JSON stdout. Tests use it to compute reference values at
 * test time instead of hand-copied numbers.
 */
export const PYTHON =
  process.env.CRUCIBLE_PYTHON ?? path.join(os.homedir(), '.cache', 'crucible', 'venv', 'bin', 'python');

export function runPython<T>(script: string, input: unknown = null): T {
  const out = execFileSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  return JSON.parse(out) as T;
}

/** Path to ../shared/datasets beside the checkout. */
export const SHARED_DATASETS = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');
