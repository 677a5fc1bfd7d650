import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createCampaignActivities } from '../activities/campaign';
import { createMaterialsActivities } from '../activities/materials';
import { TASK_QUEUES } from '../workflows/definitions';
import { runWorkerProcess, temporalNamespace } from './env';

/** Runs campaign and experiment workflows, and the I/O activities (pools, structures, measurements). */
export async function createOrchestrationWorker(opts: {
  connection: NativeConnection;
  db: Db;
  workflowBundle?: WorkflowBundleOption;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: temporalNamespace(),
    taskQueue: TASK_QUEUES.orchestration,
    // Experiment workflows are many, small and mostly idle for days: keeping thousands cached
    // filled the heap (GC pauses over the 5 s workflow-task limit at 5,000 open experiments);
    // an evicted one replays its short history on its next task instead.
    maxCachedWorkflows: Number(process.env.CRUCIBLE_MAX_CACHED_WORKFLOWS ?? 1000),
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: {
      ...createCampaignActivities({ db: opts.db }),
      ...createMaterialsActivities({ db: opts.db }),
    },
  });
}

if (require.main === module) {
  runWorkerProcess('orchestration', TASK_QUEUES.orchestration, async ({ connection, db }) => ({
    worker: await createOrchestrationWorker({ connection, db }),
  }));
}
