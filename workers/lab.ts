import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { createLabActivities } from '../activities/lab';
import { TASK_QUEUES } from '../workflows/definitions';
import { runWorkerProcess, temporalAddress, temporalNamespace } from './env';
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
  runWorkerProcess('lab', TASK_QUEUES.lab, async ({ connection, db }) => {
    const worker = await createLabWorker({ connection, db });
    if (process.env.CRUCIBLE_SIMULATED_LAB === '0') return { worker };
    const clientConnection = await Connection.connect({ address: temporalAddress() });
    const client = new Client({ connection: clientConnection, namespace: temporalNamespace() });
    const lab = new SimulatedLabRunner({ client, db }, { log: (m) => console.error(m) });
    lab.start();
    return {
      worker,
      note: 'simulated lab running',
      stop: async () => {
        await lab.stop();
        await clientConnection.close();
      },
    };
  });
}
