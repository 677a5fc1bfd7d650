/**
 * A real MD-fidelity result for one OBELiX material, through the whole MD stage:
 * `npm run bench -- md-obelix -- --id mdp [--temperatures 600,750,900] [--production-steps 7500]`.
 *
 * Reads the entry's CIF from OBELiX's archive (a partially occupied one is ordered by the MD
 * stage, `job.order_disordered`, and the ordering is reported), stores it as a candidate, runs mdCandidateWorkflow (sbatch per temperature when SLURM
 * runs, else the command executor; CHGNet NVT; MSD → D → Nernst–Einstein σ → Arrhenius) on the
 * Temporal + MongoDB servers the environment names (started and stopped here when it names
 * none), and prints the MD estimate of σ(300 K) with its 95 % interval beside OBELiX's measured
 * value. Hours of CPU for ~100 atoms and tens of ps; the defaults are what the issue-6 note used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startLocalCrucible } from '../../cli/runtime';
import { readCifCollection } from '../../data/cifCollection';
import { defaultObelixDir } from '../../data/loadPool';
import { parseObelixTable } from '../../data/obelix';
import { readCif } from '../../materials/cifReader';
import { toPymatgenDict } from '../../materials/pymatgenJson';
import { detectSpaceGroup } from '../../materials/spaceGroup';
import { MdStageSpec, type MdOutcome } from '../../schemas';
import { getMdRun } from '../../store/mdRuns';
import { saveStructures } from '../../store/structures';
import { TASK_QUEUES, mdRunId, mdWorkflowId } from '../../workflows/definitions';
import { mdCandidateWorkflow } from '../../workflows/md';
import { slurmRunning, withServers } from '../withServers';
import { sigmaReport } from './sigmaReport';

export const USAGE = [
  'npm run bench -- md-obelix -- [--id mdp] [--temperatures 600,750,900] [--timestep-fs 2]',
  '  [--equilibration-steps 1000] [--production-steps 7500] [--sampling 10] [--min-length 10]',
  '  [--cores 2] [--max-concurrent 3] [--thermostat nose-hoover] [--seed 1] [--executor slurm|command]',
  'Needs CRUCIBLE_MD_PYTHON (bash infra/install-md-python.sh prints it); default executor: slurm when sinfo answers, else command.',
].join('\n');

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}
function numberOption(argv: string[], name: string, fallback: number): number {
  const raw = option(argv, name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`--${name}: expected a number, got ${JSON.stringify(raw)}`);
  return v;
}

/** Needs Temporal and MongoDB: started here (and stopped after) when the env names none. */
export const obelixMdBenchmark = (argv: string[]) => withServers('bench/md/obelix.ts', argv, runObelixMd);

async function runObelixMd(argv: string[]): Promise<Record<string, unknown>> {
  if (!process.env.CRUCIBLE_MD_PYTHON)
    throw new Error(
      'CRUCIBLE_MD_PYTHON unset: export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)"',
    );
  const id = option(argv, 'id') ?? 'mdp';
  const dir = option(argv, 'obelix-dir') ?? defaultObelixDir();
  const entry = parseObelixTable(fs.readFileSync(path.join(dir, 'all.csv'), 'utf8')).find((e) => e.id === id);
  if (!entry) throw new Error(`OBELiX has no entry ${JSON.stringify(id)} in ${dir}/all.csv`);
  const cif = readCifCollection(path.join(dir, 'all_cifs.tar.gz')).find((f) => f.candidateId === id);
  if (!cif) throw new Error(`OBELiX entry ${id} has no CIF in ${dir}/all_cifs.tar.gz`);
  const [block] = readCif(cif.text, { source: cif.file });
  if (!block) throw new Error(`${cif.file}: no data block`);
  const structure = block.structure;

  const temperatures = (option(argv, 'temperatures') ?? '600,750,900').split(',').map(Number);
  const executor = option(argv, 'executor') ?? (slurmRunning() ? 'slurm' : 'command');
  const md = MdStageSpec.parse({
    top_k: 1,
    structure_pool_id: `obelix-md-${id}`,
    max_concurrent_jobs: numberOption(argv, 'max-concurrent', 3),
    poll_interval_seconds: 15,
    job: {
      temperatures_K: temperatures,
      timestep_fs: numberOption(argv, 'timestep-fs', 2),
      equilibration_steps: numberOption(argv, 'equilibration-steps', 1000),
      production_steps: numberOption(argv, 'production-steps', 7500),
      sampling_interval_steps: numberOption(argv, 'sampling', 10),
      supercell_min_length_A: numberOption(argv, 'min-length', 10),
      thermostat: option(argv, 'thermostat') ?? 'nose-hoover',
      seed: numberOption(argv, 'seed', 1),
      resources: { cores: numberOption(argv, 'cores', 2), gpus: 0, wall_time_minutes: 24 * 60 },
      executor,
    },
  });

  const crucible = await startLocalCrucible({ quiet: true, md: true, dbName: 'crucible_bench_md_obelix' });
  try {
    const sg = detectSpaceGroup(structure);
    await saveStructures(crucible.db, md.structure_pool_id!, [
      {
        candidate_id: id,
        formula: structure.composition.reducedFormula,
        num_sites: structure.numSites,
        is_ordered: structure.isOrdered,
        space_group: { number: sg.number, symbol: sg.symbol },
        matches_stated_space_group: null,
        structure_json: JSON.stringify(toPymatgenDict(structure)),
      },
    ]);
    const campaignId = `obelix-md-${id}-${Date.now().toString(36)}`;
    const runId = mdRunId(campaignId, 0, id);
    const t0 = Date.now();
    const outcome: MdOutcome = await crucible.client.workflow.execute(mdCandidateWorkflow, {
      workflowId: mdWorkflowId(runId),
      taskQueue: TASK_QUEUES.orchestration,
      args: [
        {
          run_id: runId,
          campaign_id: campaignId,
          iteration: 0,
          candidate_id: id,
          structure_pool_id: md.structure_pool_id!,
          md,
        },
      ],
    });
    const wall_s = (Date.now() - t0) / 1000;
    const stored = await getMdRun(crucible.db, runId);
    return {
      benchmark: 'md-obelix',
      obelix_id: id,
      formula: entry.reducedFormula,
      cell_atoms: structure.numSites,
      executor: md.job.executor,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
      job: md.job,
      status: outcome.status,
      failure_reason: outcome.failure_reason,
      temperatures: outcome.temperatures,
      activation_energy_eV: outcome.activation_energy_eV,
      ...sigmaReport(outcome, entry.log10_sigma),
      measured_sigma_S_per_cm: entry.conductivity_S_per_cm,
      measured_log10_sigma: entry.log10_sigma,
      md_run_stored: stored?.status ?? null,
      ordering: stored?.ordering ?? null,
      run_id: runId,
      wall_s,
    };
  } finally {
    await crucible.close();
  }
}

if (require.main === module) {
  runObelixMd(process.argv.slice(2).filter((a) => a !== '--'))
    .then((r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    });
}
