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

/** Li2O (antifluorite, a = 4.61 Å), conventional cell: 8 Li + 4 O. */
export const LI2O_EXTXYZ = (() => {
  const a = 4.61;
  const fcc = [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];
  const li = [0.25, 0.75].flatMap((x) => [0.25, 0.75].flatMap((y) => [0.25, 0.75].map((z) => [x, y, z])));
  const lines = [
    ...fcc.map((f) => `O ${f.map((v) => (v * a).toFixed(4)).join(' ')}`),
    ...li.map((f) => `Li ${f.map((v) => (v * a).toFixed(4)).join(' ')}`),
  ];
  return `12\nLattice="${a} 0 0 0 ${a} 0 0 0 ${a}" Properties=species:S:1:pos:R:3 pbc="T T T"\n${lines.join('\n')}\n`;
})();
