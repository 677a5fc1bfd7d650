import { NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from 'mongodb';
import { connectMongo } from '../store/db';

/** Where Temporal is: TEMPORAL_ADDRESS (host:port) and TEMPORAL_NAMESPACE (default "default"). */
export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    throw new Error(
      'TEMPORAL_ADDRESS is not set: start the local servers with `eval "$(bash infra/start-servers.sh)"` or point it at your Temporal cluster',
    );
  }
  return address;
}

export const temporalNamespace = (): string => process.env.TEMPORAL_NAMESPACE ?? 'default';

export async function connectWorkerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}

/**
 * The body of every worker entry point: connect to MongoDB and Temporal, start the worker (and
 * whatever else `start` sets going), run until SIGINT/SIGTERM lets in-flight tasks finish, close.
 */
export function runWorkerProcess(
  name: string,
  taskQueue: string,
  start: (deps: { connection: NativeConnection; db: Db }) => Promise<{
    worker: Worker;
    note?: string;
    stop?: () => Promise<void>;
  }>,
): void {
  (async () => {
    const { client, db } = await connectMongo();
    const connection = await connectWorkerConnection();
    const { worker, note, stop } = await start({ connection, db });
    console.log(`[${name}] polling ${taskQueue}${note ? ` (${note})` : ''}`);
    await worker.run();
    await stop?.();
    await connection.close();
    await client.close();
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
