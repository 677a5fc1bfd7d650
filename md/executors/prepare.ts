/** Writes a job's inputs (structure, engine parameters) into its work directory. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type MdJobKey, type MdJobSpec, engineParams, mdJobName } from '../jobSpec';
import type { PreparedJob } from './types';

/** The CHGNet adapter, next to this package's sources. */
export const CHGNET_ENGINE = path.resolve(__dirname, '..', 'engine', 'chgnet_md.py');

export interface PrepareArgs {
  /** Jobs live in root/<job name>; on a cluster, a directory the compute nodes see. */
  readonly root: string;
  readonly spec: MdJobSpec;
  readonly key: MdJobKey;
  /** Ordered structure (unit cell) as extended XYZ; the engine builds the supercell. */
  readonly structureExtxyz: string;
  /** Python with ase + chgnet (infra/install-md-python.sh). */
  readonly python: string;
}

/** Idempotent: rewriting the same inputs for the same name gives the same files. */
export function prepareMdJob(args: PrepareArgs): PreparedJob {
  const name = mdJobName(args.key);
  const workDir = path.join(args.root, name);
  fs.mkdirSync(workDir, { recursive: true });
  writeIfChanged(path.join(workDir, 'structure.extxyz'), args.structureExtxyz);
  const params = engineParams(args.spec, args.key);
  writeIfChanged(path.join(workDir, 'params.json'), JSON.stringify(params, null, 2) + '\n');
  const r = args.spec.resources;
  return {
    name,
    workDir,
    argv: [
      args.python,
      CHGNET_ENGINE,
      '--structure',
      'structure.extxyz',
      '--params',
      'params.json',
      '--out-dir',
      '.',
    ],
    cores: r.cores,
    gpus: r.gpus,
    wallTimeMinutes: r.wall_time_minutes,
    partition: r.partition,
    // torch, MKL and OpenMP each spawn a thread per core by default: keep to the allocation.
    env: { OMP_NUM_THREADS: String(r.cores), MKL_NUM_THREADS: String(r.cores) },
  };
}

function writeIfChanged(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
}

/** POSIX-shell quoting for the wrapper scripts. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Body of the job script both executors run: env, cd, the program; records its exit status. */
export function jobScript(job: PreparedJob, options: { timeLimit?: boolean } = {}): string {
  const env = Object.entries(job.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const cmd = job.argv.map(shellQuote).join(' ');
  // Local runs have no scheduler to enforce the wall time: `timeout` does (exit 124 = TIMEOUT).
  // --foreground keeps the program in the wrapper's process group: without it `timeout` moves
  // itself and the engine into a group of their own, so cancelling the job's group killed only
  // the wrapper and left the engine running (and the job looked lost, so it was resubmitted).
  const run = options.timeLimit
    ? `timeout --foreground --kill-after=10 ${job.wallTimeMinutes * 60} ${cmd}`
    : cmd;
  return [
    '#!/bin/bash',
    `# crucible MD job ${job.name}`,
    ...env,
    `cd ${shellQuote(job.workDir)}`,
    run,
    'rc=$?',
    'echo "$rc" > exit_code.tmp && mv exit_code.tmp exit_code',
    'exit "$rc"',
    '',
  ].join('\n');
}
