/** Gates for tests that need a real SLURM cluster and/or the CHGNet venv, with printed reasons. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export function slurmSkipReason(): string | null {
  if (process.env.CRUCIBLE_SLURM !== '1') {
    return 'CRUCIBLE_SLURM!=1 (start a one-node cluster: bash infra/slurm/install.sh && bash infra/slurm/start.sh; needs root + Debian apt)';
  }
  try {
    execFileSync('sinfo', ['-h'], { stdio: 'ignore' });
  } catch {
    return 'CRUCIBLE_SLURM=1 but sinfo fails: the cluster is not running (bash infra/slurm/start.sh)';
  }
  return null;
}

export function chgnetSkipReason(): string | null {
  const py = process.env.CRUCIBLE_MD_PYTHON;
  if (!py) return 'CRUCIBLE_MD_PYTHON unset (export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)")';
  if (!fs.existsSync(py)) return `CRUCIBLE_MD_PYTHON=${py} does not exist`;
  return null;
}

/** describe when runnable, else describe.skip after printing why. */
export function describeIf(reason: string | null): jest.Describe {
  if (reason) {
    console.warn(`SKIPPED: ${reason}`);
    return describe.skip;
  }
  return describe;
}

export { LI2O_EXTXYZ } from '../../md/referenceCells';
