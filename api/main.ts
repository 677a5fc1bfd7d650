/**
 * `npm run api`: the HTTP API for labs, chemists and PIs on CRUCIBLE_API_HOST:CRUCIBLE_API_PORT
 * (default 127.0.0.1:8080), against TEMPORAL_ADDRESS and MONGODB_URI. Tokens come from
 * `npm run crucible -- token create --role lab --lab robot-1`.
 */
import { Client, Connection } from '@temporalio/client';
import { connectMongo } from '../store/db';
import { temporalAddress, temporalNamespace } from '../workers/env';
import { buildApi } from './server';

async function main() {
  const { client: mongo, db } = await connectMongo();
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection, namespace: temporalNamespace() });
  const app = await buildApi({ client, db }, { logger: true });
  const port = Number(process.env.CRUCIBLE_API_PORT ?? 8080);
  await app.listen({ host: process.env.CRUCIBLE_API_HOST ?? '127.0.0.1', port });
  const stop = async () => {
    await app.close();
    await connection.close();
    await mongo.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
