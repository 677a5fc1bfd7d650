/**
 * MD stage benchmark: `npm run bench -- md [-- --steps N --jobs K --poll-ms P]` or
 * `tsx bench/md/md.ts ...`. Prints JSON:
 *  - md_steps_per_s: CHGNet NVT steps per second (engine's own production timing) for a
 *    96-atom Li2O supercell on this machine's CPU (1 thread per core given);
 *  - submit_to_start_s: from just before sbatch to the job's first instruction (median of K);
 *  - end_to_collected_s: from the job's last instruction to Crucible seeing it terminal and
 *    collecting its outputs (median), at the given poll interval.
 * The orchestration jobs run a trivial script, so they time SLURM + executor, not CHGNet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CommandExecutor,
  type MdExecutor,
  SlurmExecutor,
  prepareMdJob,
  waitForJob,
} from '../../md/executors';
import { mdJobKeys, parseMdJobSpec } from '../../md/jobSpec';
import { LI2O_EXTXYZ } from '../../md/referenceCells';
import { slurmRunning } from '../withServers';

export const USAGE =
  'npm run bench -- md -- [--steps 50] [--cores 2] [--jobs 5] [--poll-ms 250] (needs CRUCIBLE_MD_PYTHON; SLURM if running)';

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Li2O antifluorite conventional cell (12 atoms); the engine makes it 2×2×2 = 96 atoms. */
const LI2O = LI2O_EXTXYZ;

export async function mdBenchmark(argv: string[]): Promise<Record<string, unknown>> {
  const python = process.env.CRUCIBLE_MD_PYTHON;
  if (!python)
    throw new Error(
      'CRUCIBLE_MD_PYTHON unset: export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)"',
    );
  const steps = arg(argv, 'steps', 50);
  const cores = arg(argv, 'cores', os.cpus().length);
  const jobs = arg(argv, 'jobs', 5);
  const pollMs = arg(argv, 'poll-ms', 250);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-bench-'));
  const useSlurm = slurmRunning();
  const executor: MdExecutor = useSlurm ? new SlurmExecutor() : new CommandExecutor();
  const run = `b${Date.now().toString(36)}`;

  // 1. Engine speed: one CHGNet run, equilibration excluded from the timing.
  const spec = parseMdJobSpec({
    campaign_id: run,
    iteration: 0,
    candidate_id: 'Li2O',
    structure: { candidate_id: 'Li2O' },
    temperatures_K: [1000],
    equilibration_steps: 5,
    production_steps: steps,
    sampling_interval_steps: 5,
    supercell_min_length_A: 9,
    resources: { cores, gpus: 0, wall_time_minutes: 60 },
    executor: useSlurm ? 'slurm' : 'command',
  });
  const job = prepareMdJob({ root, spec, key: mdJobKeys(spec)[0], structureExtxyz: LI2O, python });
  const sub = await executor.submit(job);
  if (sub.kind === 'deferred') throw new Error('deferred');
  const st = await waitForJob(executor, sub.handle, { pollMs: 1000, timeoutMs: 3_600_000 });
  if (st.phase !== 'completed') throw new Error(`CHGNet benchmark job ${st.phase}: see ${job.workDir}`);
  const log = (await executor.collect(sub.handle)).log;

  // 2. Orchestration overhead with trivial jobs (each records its own start and end instants).
  const submitToStart: number[] = [];
  const endToCollected: number[] = [];
  for (let k = 0; k < jobs; k++) {
    const name = `crucible-md-bench-${run}-${k}`;
    const workDir = path.join(root, name);
    fs.mkdirSync(workDir, { recursive: true });
    const script =
      'date +%s.%N > t_start; echo "{\\"status\\":\\"completed\\"}" > log.json; : > trajectory.extxyz; date +%s.%N > t_end';
    const t0 = Date.now() / 1000;
    const r = await executor.submit({
      name,
      workDir,
      argv: ['bash', '-c', script],
      cores: 1,
      gpus: 0,
      wallTimeMinutes: 5,
    });
    if (r.kind === 'deferred') throw new Error('deferred');
    await waitForJob(executor, r.handle, { pollMs, timeoutMs: 300_000 });
    await executor.collect(r.handle);
    const collected = Date.now() / 1000;
    const started = Number(fs.readFileSync(path.join(workDir, 't_start'), 'utf8'));
    const ended = Number(fs.readFileSync(path.join(workDir, 't_end'), 'utf8'));
    submitToStart.push(started - t0);
    endToCollected.push(collected - ended);
  }
  return {
    benchmark: 'md',
    executor: executor.kind,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg_1m: os.loadavg()[0] },
    potential: 'chgnet',
    num_atoms: log.num_atoms,
    md_steps: steps,
    md_threads: cores,
    md_steps_per_s: log.steps_per_s,
    md_setup_s: log.setup_s,
    orchestration_jobs: jobs,
    poll_ms: pollMs,
    submit_to_start_s: median(submitToStart),
    end_to_collected_s: median(endToCollected),
    submit_to_start_all_s: submitToStart,
    end_to_collected_all_s: endToCollected,
  };
}

if (require.main === module) {
  mdBenchmark(process.argv.slice(2).filter((a) => a !== '--'))
    .then((r) => process.stdout.write(JSON.stringify(r) + '\n'))
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
