import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Db, MongoClient } from 'mongodb';
import { connectMongo } from '../store/db';
import { temporalAddress, temporalNamespace } from '../workers/env';
import { createLabWorker } from '../workers/lab';
import { createMdWorker } from '../workers/md';
import { createMlWorker } from '../workers/ml';
import { createOrchestrationWorker } from '../workers/orchestration';
import { SimulatedLabRunner } from '../workers/simulatedLabRunner';

/**
 * Everything a single-process run needs (the demo, a laptop campaign): a client, the
 * orchestration, ML and lab workers (and the MD worker when configured) and the simulated lab,
 * in this process. Production runs each worker on its own.
 */
export interface LocalCrucible {
  client: Client;
  db: Db;
  lab: SimulatedLabRunner;
  close(): Promise<void>;
}

export interface LocalCrucibleOptions {
  quiet?: boolean;
  /** Database name (default: from MONGODB_URI); tests use one database per test file. */
  dbName?: string;
  /** Run the orchestration worker here (tests that run it as a separate process say false). */
  orchestration?: boolean;
  workflowBundle?: WorkflowBundleOption;
  /**
   * Also run the MD worker (campaigns with an `md` section); it needs CRUCIBLE_MD_PYTHON, the
   * engine's Python (`bash infra/install-md-python.sh` prints it). Default off.
   */
  md?: boolean;
}

export async function startLocalCrucible(opts: LocalCrucibleOptions = {}): Promise<LocalCrucible> {
  if (opts.quiet) {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      /* already installed in this process: keep it */
    }
  }
  const { client: mongo, db }: { client: MongoClient; db: Db } = await connectMongo(undefined, opts.dbName);
  const clientConnection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection: clientConnection, namespace: temporalNamespace() });
  const workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  const workers: Worker[] = await Promise.all([
    ...(opts.orchestration === false
      ? []
      : [
          createOrchestrationWorker({
            connection: workerConnection,
            db,
            workflowBundle: opts.workflowBundle,
          }),
        ]),
    createMlWorker({ connection: workerConnection, db }),
    createLabWorker({ connection: workerConnection, db }),
    ...(opts.md ? [createMdWorker({ connection: workerConnection, db })] : []),
  ]);
  const running = workers.map((w) => w.run());
  const lab = new SimulatedLabRunner({ client, db }, { log: (m) => console.error(m) });
  lab.start();
  return {
    client,
    db,
    lab,
    async close() {
      await lab.stop();
      for (const w of workers) w.shutdown();
      await Promise.all(running);
      await workerConnection.close();
      await clientConnection.close();
      await mongo.close();
    },
  };
}
