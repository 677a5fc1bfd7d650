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
