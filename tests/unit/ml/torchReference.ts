import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * PyTorch reference values. The tests run the reference script at test time when a Python with
 * torch is present (CRUCIBLE_TORCH_PYTHON, or the venv infra/requirements-torch.txt describes
 * at ~/.cache/crucible/torch-venv); otherwise they read the JSON that the same script wrote
 * last (CRUCIBLE_UPDATE_ML_REFERENCE=1 rewrites it), so CI without torch (a multi-GB install)
 * still checks against PyTorch's numbers.
 */
export const TORCH_PYTHON =
  process.env.CRUCIBLE_TORCH_PYTHON ??
  path.join(os.homedir(), '.cache', 'crucible', 'torch-venv', 'bin', 'python');

const REFERENCE_DIR = path.resolve(__dirname, '..', '..', 'reference', 'ml');

export function torchReference<T>(
  script: string,
  input: unknown,
  snapshot: string,
): { value: T; source: string } {
  const snapshotPath = path.join(REFERENCE_DIR, snapshot);
  if (fs.existsSync(TORCH_PYTHON)) {
    // Run as a file, so the script imports its neighbours (cgcnn_model.py).
    const out = execFileSync(TORCH_PYTHON, [path.join(REFERENCE_DIR, script)], {
      input: JSON.stringify(input),
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    if (process.env.CRUCIBLE_UPDATE_ML_REFERENCE === '1') fs.writeFileSync(snapshotPath, out);
    return { value: JSON.parse(out) as T, source: 'PyTorch (live)' };
  }
  return {
    value: JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as T,
    source: `PyTorch snapshot ${snapshot}`,
  };
}
