import { Db, MongoServerError } from 'mongodb';
import type { Channel, Notification } from '../notifications/deliver';
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

/** A notification with what happened to each channel it was sent on (ISO times, or the last error). */
export interface NotificationDoc extends Notification {
  delivered?: Partial<Record<Channel, string>>;
  delivery_errors?: Partial<Record<Channel, string>>;
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

/** Writes the notification once (a retried activity finds it) and returns the stored document. */
export async function recordNotification(db: Db, doc: Notification): Promise<NotificationDoc> {
  const notifications = db.collection<NotificationDoc>('notifications');
  await notifications.insertOne(doc).catch(ignoreDuplicate);
  return (await notifications.findOne({ _id: doc._id })) ?? doc;
}

export async function markNotificationDelivered(db: Db, id: string, channel: Channel): Promise<void> {
  await db
    .collection<NotificationDoc>('notifications')
    .updateOne({ _id: id }, { $set: { [`delivered.${channel}`]: new Date().toISOString() } });
}

export async function recordNotificationError(
  db: Db,
  id: string,
  channel: Channel,
  message: string,
): Promise<void> {
  await db
    .collection<NotificationDoc>('notifications')
    .updateOne({ _id: id }, { $set: { [`delivery_errors.${channel}`]: message.slice(0, 500) } });
}

export async function campaignNotifications(db: Db, campaignId: string): Promise<NotificationDoc[]> {
  return db
    .collection<NotificationDoc>('notifications')
    .find({ campaign_id: campaignId })
    .sort({ created_at: 1 })
    .toArray();
}
