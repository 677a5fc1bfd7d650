import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { ImportError, importPool as importPoolWithStructures } from '../cli/importPool';
import { loadCandidatePool } from '../data/loadPool';
import { MIN_CGCNN_STRUCTURES } from '../schemas';
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
    /**
     * Idempotent: a pool already imported completely (same content id) is not written again.
     * With CIFs (a CSV source's `cifs`; OBELiX's bundled tarball when the surrogate is cgcnn) the
     * candidates' structures are imported too, as `crucible import` does (only missing ones are
     * written); a cgcnn campaign with fewer than MIN_CGCNN_STRUCTURES structures is refused.
     */
    async importPool(input: {
      campaign_id: string;
      spec: CampaignSpec;
    }): Promise<{ pool_id: string; size: number; structures?: number }> {
      const { source, surrogate } = input.spec;
      const cgcnn = surrogate.kind === 'cgcnn';
      if (cgcnn || (source.kind === 'csv' && source.cifs !== undefined)) {
        const field = source.kind === 'csv' ? 'source.cifs' : 'source.dir';
        let report;
        try {
          report = await importPoolWithStructures(db, source, {
            // OBELiX: undefined = its all_cifs.tar.gz when present.
            cifs: source.kind === 'csv' ? (source.cifs ?? null) : undefined,
            skipUnreadable: true,
            onProgress: (phase, done, total) => Context.current().heartbeat({ phase, done, total }),
          });
        } catch (err) {
          if (!(err instanceof ImportError)) throw err;
          throw ApplicationFailure.nonRetryable(`${field}: ${err.message}`, 'ValidationError');
        }
        if (cgcnn && report.structures < MIN_CGCNN_STRUCTURES) {
          throw ApplicationFailure.nonRetryable(
            `${field}: the cgcnn surrogate needs crystal structures for at least ${MIN_CGCNN_STRUCTURES} ` +
              `candidates; pool ${report.pool_id} has ${report.structures}` +
              (source.kind === 'csv'
                ? ' (name a folder or .tar.gz of <candidate id>.cif files in source.cifs)'
                : ' (OBELiX all_cifs.tar.gz not found beside all.csv)'),
            'ValidationError',
          );
        }
        await registerCampaign(db, input.campaign_id, input.spec, report.pool_id);
        return { pool_id: report.pool_id, size: report.size, structures: report.structures };
      }
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
