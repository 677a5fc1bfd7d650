import { Db, MongoServerError } from 'mongodb';
import { batchId } from './batches';

/** Who decided what about which batch, and when: the approval audit log. */
export interface AuditEntry {
  _id: string;
  campaign_id: string;
  iteration: number;
  decision: 'approve' | 'reject' | 'trim';
  kept_candidate_ids: string[];
  excluded_candidate_ids: string[];
  decided_by: string;
  reason: string | null;
  decided_at: string;
}

export interface NotificationDoc {
  /** Deterministic (campaign, kind, key), so a retried activity does not notify twice. */
  _id: string;
  campaign_id: string;
  kind: 'approval_needed' | 'approval_reminder' | 'target_reached' | 'campaign_finished';
  message: string;
  created_at: string;
}

const ignoreDuplicate = (err: unknown) => {
  if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
};

/** Writes the decision once, and marks the batch's excluded candidates so they are never proposed again. */
export async function recordBatchDecision(db: Db, entry: Omit<AuditEntry, '_id'>): Promise<void> {
  const _id = batchId(entry.campaign_id, entry.iteration);
  await db
    .collection<AuditEntry>('audit')
    .insertOne({ _id, ...entry })
    .catch(ignoreDuplicate);
  await db
    .collection('batches')
    .updateOne(
      { _id: _id as never },
      { $set: { decision: entry.decision, excluded_candidate_ids: entry.excluded_candidate_ids } },
    );
}

export async function campaignAudit(db: Db, campaignId: string): Promise<AuditEntry[]> {
  return db
    .collection<AuditEntry>('audit')
    .find({ campaign_id: campaignId })
    .sort({ iteration: 1 })
    .toArray();
}

export async function recordNotification(db: Db, doc: NotificationDoc): Promise<void> {
  await db.collection<NotificationDoc>('notifications').insertOne(doc).catch(ignoreDuplicate);
}

export async function campaignNotifications(db: Db, campaignId: string): Promise<NotificationDoc[]> {
  return db
    .collection<NotificationDoc>('notifications')
    .find({ campaign_id: campaignId })
    .sort({ created_at: 1 })
    .toArray();
}
