import { Db, MongoClient } from 'mongodb';

/**
 * One MongoClient per process. The database is the one named in MONGODB_URI's path, else
 * CRUCIBLE_DB, else "crucible". Works against MongoDB and FerretDB alike: the data layer keeps
 * to single-document atomic writes, unique _id keys and simple finds (no transactions,
 * change streams, $lookup or $facet).
 */
export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    throw new Error(
      'MONGODB_URI is not set: run through `npm run demo`/`npm test`, or point it at your MongoDB',
    );
  }
  return uri;
}

export async function connectMongo(
  uri = mongoUri(),
  dbName?: string,
): Promise<{ client: MongoClient; db: Db }> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 15_000 });
  const fromUri = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.replace(/^\//, '');
  const db = client.db(dbName ?? (fromUri || process.env.CRUCIBLE_DB || 'crucible'));
  await ensureIndexes(db);
  return { client, db };
}

/** Idempotent; cheap enough to run at every connect. */
export async function ensureIndexes(db: Db): Promise<void> {
  await db.collection('candidates').createIndex({ pool_id: 1 });
  await db.collection('experiments').createIndex({ campaign_id: 1, status: 1 });
  await db.collection('experiments').createIndex({ lab_id: 1, status: 1 });
  await db.collection('tokens').createIndex({ role: 1 });
  await db.collection('measurements').createIndex({ campaign_id: 1 });
  await db.collection('batches').createIndex({ campaign_id: 1 });
}
