import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createMlActivities } from '../activities/ml';
import { connectMongo } from '../store/db';
import { TASK_QUEUES } from '../workflows/definitions';
import { connectWorkerConnection, temporalNamespace } from './env';

/** Fits surrogates and proposes batches; run it on the machines with the compute. */
export async function createMlWorker(opts: { connection: NativeConnection; db: Db }): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: temporalNamespace(),
    taskQueue: TASK_QUEUES.ml,
    activities: createMlActivities({ db: opts.db }),
    // Model fits are CPU-bound in this process: running many at once only slows each down.
    maxConcurrentActivityTaskExecutions: 2,
  });
}

if (require.main === module) {
  (async () => {
    const { client, db } = await connectMongo();
    const connection = await connectWorkerConnection();
    const worker = await createMlWorker({ connection, db });
    console.log(`[ml] polling ${TASK_QUEUES.ml}`);
    await worker.run();
    await connection.close();
    await client.close();
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
