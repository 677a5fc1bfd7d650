import { Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { loadCandidatePool } from '../data/loadPool';
import type { CampaignSpec, CampaignStatus } from '../schemas';
import { AuditEntry, NotificationDoc, recordBatchDecision, recordNotification } from '../store/approvals';
import { registerCampaign, saveCampaignStatus } from '../store/campaigns';
import { setExperimentStatus } from '../store/experiments';
import { getPool, savePool } from '../store/pools';

/** Campaign I/O on the orchestration queue: pool import, measurements, status snapshots. */
export function createCampaignActivities(deps: { db: Db }) {
  const { db } = deps;
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
     * Records a notification (the dashboard and CLI read them). Delivery by webhook and e-mail
     * belongs to the notifications work of the labs-and-PIs issue.
     */
    async notify(doc: NotificationDoc): Promise<void> {
      await recordNotification(db, doc);
    },
  };
}
