import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { loadCandidatePool } from '../data/loadPool';
import type { CampaignSpec, CampaignStatus, NotificationSpec } from '../schemas';
import {
  Channel,
  Mailer,
  Notification,
  NotificationConfig,
  NotificationConfigError,
  channelsOf,
  deliver,
  notificationConfigFromEnv,
} from '../notifications/deliver';
import {
  AuditEntry,
  markNotificationDelivered,
  recordBatchDecision,
  recordNotification,
  recordNotificationError,
} from '../store/approvals';
import { registerCampaign, saveCampaignStatus } from '../store/campaigns';
import { setExperimentStatus } from '../store/experiments';
import { getPool, savePool } from '../store/pools';

/** Campaign I/O on the orchestration queue: pool import, measurements, status snapshots. */
export function createCampaignActivities(deps: {
  db: Db;
  notifications?: NotificationConfig;
  mailer?: Mailer;
}) {
  const { db } = deps;
  const notifications = deps.notifications ?? notificationConfigFromEnv();
  const mailer = deps.mailer ?? new Mailer(notifications);
  return {
    /** Idempotent: a pool already imported completely (same content id) is not written again. */
    async importPool(input: {
      campaign_id: string;
      spec: CampaignSpec;
    }): Promise<{ pool_id: string; size: number }> {
      const loaded = await loadCandidatePool(input.spec.source);
      const existing = await getPool(db, loaded.poolId);
      if (!existing?.complete) {
        await savePool(
          db,
          loaded.poolId,
          { ...input.spec.source, origin: loaded.origin },
          loaded.pool,
          (written, total) => Context.current().heartbeat({ written, total }),
        );
      }
      await registerCampaign(db, input.campaign_id, input.spec, loaded.poolId);
      return { pool_id: loaded.poolId, size: loaded.pool.rows.length };
    },

    /** A result already stored stands: only a still-open request becomes cancelled. */
    async markExperimentCancelled(experimentId: string): Promise<void> {
      await setExperimentStatus(db, experimentId, 'cancelled', { onlyIf: 'requested' });
    },

    async saveCampaignStatus(status: CampaignStatus): Promise<void> {
      await saveCampaignStatus(db, status);
    },

    async recordBatchDecision(entry: Omit<AuditEntry, '_id'>): Promise<void> {
      await recordBatchDecision(db, entry);
    },

    /**
     * Records a notification (the dashboard and CLI read it) and sends it on each channel the
     * spec names that has not had it yet. A failed channel throws, so the workflow's retry
     * policy backs off and retries only what is still undelivered; the last error is kept on
     * the notification for the dashboard.
     */
    async notify(n: Notification, spec?: NotificationSpec): Promise<{ delivered: Channel[] }> {
      const stored = await recordNotification(db, n);
      const todo = channelsOf(spec).filter((c) => !stored.delivered?.[c]);
      const failures: { message: string; config: boolean }[] = [];
      for (const channel of todo) {
        try {
          await deliver(n, channel, spec as NotificationSpec, notifications, mailer);
          await markNotificationDelivered(db, n._id, channel);
        } catch (err) {
          await recordNotificationError(db, n._id, channel, (err as Error).message);
          failures.push({
            message: `${channel}: ${(err as Error).message}`,
            config: err instanceof NotificationConfigError,
          });
        }
      }
      if (failures.length > 0) {
        const message = `notification ${n._id} not delivered: ${failures.map((f) => f.message).join('; ')}`;
        // A worker without the channel's configuration will not grow one by retrying.
        if (failures.every((f) => f.config))
          throw ApplicationFailure.nonRetryable(message, 'NotificationConfigError');
        throw new Error(message);
      }
      return { delivered: todo };
    },
  };
}
