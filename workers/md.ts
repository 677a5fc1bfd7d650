import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createMdActivities, defaultMdRoot } from '../activities/md';
import { ensureMdIndexes } from '../store/mdRuns';
import { ensureMdSlotIndexes } from '../store/mdSlots';
import { TASK_QUEUES } from '../workflows/definitions';
import { runWorkerProcess, temporalNamespace } from './env';

/**
 * MD/HPC activities: prepare job inputs, sbatch (or run locally), poll, scancel, collect and
 * analyse. Run it where `sbatch`/`squeue` reach the cluster and CRUCIBLE_MD_ROOT is a folder the
 * compute nodes share; CRUCIBLE_MD_PYTHON names the engine's Python (ase + chgnet).
 */
export async function createMdWorker(opts: {
  connection: NativeConnection;
  db: Db;
  python?: string;
  root?: string;
}): Promise<Worker> {
  const python = opts.python ?? process.env.CRUCIBLE_MD_PYTHON;
  if (!python) {
    throw new Error(
      'CRUCIBLE_MD_PYTHON is not set: export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)"',
    );
  }
  await ensureMdIndexes(opts.db);
  await ensureMdSlotIndexes(opts.db);
  return Worker.create({
    connection: opts.connection,
    namespace: temporalNamespace(),
    taskQueue: TASK_QUEUES.md,
    activities: createMdActivities({ db: opts.db, python, root: opts.root ?? defaultMdRoot() }),
  });
}

if (require.main === module) {
  runWorkerProcess('md', TASK_QUEUES.md, async ({ connection, db }) => ({
    worker: await createMdWorker({ connection, db }),
    note: `jobs in ${defaultMdRoot()}`,
  }));
}
