import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createLabActivities } from '../activities/lab';
import { connectMongo } from '../store/db';
import { TASK_QUEUES } from '../workflows/definitions';
import { connectWorkerConnection, temporalAddress, temporalNamespace } from './env';
import { SimulatedLabRunner } from './simulatedLabRunner';

/** Dispatches experiment requests to labs. */
export async function createLabWorker(opts: { connection: NativeConnection; db: Db }): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: temporalNamespace(),
    taskQueue: TASK_QUEUES.lab,
    activities: createLabActivities({ db: opts.db }),
  });
}

if (require.main === module) {
  // The lab entry point also runs the simulated lab (disable with CRUCIBLE_SIMULATED_LAB=0).
  (async () => {
    const { client: mongo, db } = await connectMongo();
    const connection = await connectWorkerConnection();
    const worker = await createLabWorker({ connection, db });
    let lab: SimulatedLabRunner | undefined;
    let clientConnection: Connection | undefined;
    if (process.env.CRUCIBLE_SIMULATED_LAB !== '0') {
      clientConnection = await Connection.connect({ address: temporalAddress() });
      const client = new Client({ connection: clientConnection, namespace: temporalNamespace() });
      lab = new SimulatedLabRunner({ client, db }, { log: (m) => console.error(m) });
      lab.start();
    }
    console.log(`[lab] polling ${TASK_QUEUES.lab}${lab ? ' (simulated lab running)' : ''}`);
    await worker.run();
    await lab?.stop();
    await clientConnection?.close();
    await connection.close();
    await mongo.close();
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
