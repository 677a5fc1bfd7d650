import type { Db } from 'mongodb';

/**
 * Labs registered for push delivery: experiment requests are POSTed to `webhook_url`, signed
 * with `webhook_secret` (HMAC, notifications/signing.ts). The secret must be readable to sign,
 * so unlike API tokens it is stored as given; the API never returns it.
 */
export interface LabDoc {
  _id: string;
  webhook_url: string | null;
  webhook_secret: string | null;
  updated_at: string;
}

export type LabInfo = { lab_id: string; webhook_url: string | null; updated_at: string };

export async function registerLab(
  db: Db,
  labId: string,
  webhook: { url: string; secret: string } | null,
): Promise<LabInfo> {
  const doc: LabDoc = {
    _id: String(labId),
    webhook_url: webhook?.url ?? null,
    webhook_secret: webhook?.secret ?? null,
    updated_at: new Date().toISOString(),
  };
  await db.collection<LabDoc>('labs').replaceOne({ _id: doc._id }, doc, { upsert: true });
  return { lab_id: doc._id, webhook_url: doc.webhook_url, updated_at: doc.updated_at };
}

export async function getLab(db: Db, labId: string): Promise<LabDoc | null> {
  return db.collection<LabDoc>('labs').findOne({ _id: String(labId) });
}
