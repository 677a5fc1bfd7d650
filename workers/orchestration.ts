import { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createCampaignActivities } from '../activities/campaign';
import { createMaterialsActivities } from '../activities/materials';
import { connectMongo } from '../store/db';
import { TASK_QUEUES } from '../workflows/definitions';
import { connectWorkerConnection, temporalNamespace } from './env';

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
  (async () => {
    const { client, db } = await connectMongo();
    const connection = await connectWorkerConnection();
    const worker = await createOrchestrationWorker({ connection, db });
    console.log(`[orchestration] polling ${TASK_QUEUES.orchestration}`);
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finish
    await connection.close();
    await client.close();
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
