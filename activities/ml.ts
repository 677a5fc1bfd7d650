import { Context } from '@temporalio/activity';
import type { Db } from 'mongodb';
import { orientTargets } from '../optimize/acquisition';
import { proposeBatch } from '../optimize/proposeBatch';
import { createRng, shuffled } from '../optimize/rng';
import { chooseSeedIndices } from '../optimize/seeds';
import type { CampaignSpec } from '../schemas';
import { campaignBatches, getBatch, saveBatchOnce } from '../store/batches';
import { campaignExperiments, campaignMeasurements } from '../store/experiments';
import { PoolMatrix, loadPoolMatrix } from '../store/pools';

/**
 * Model work on the ML queue: choosing seeds and proposing batches. Each proposal is stored
 * once per (campaign, iteration), so a retried activity returns the batch already chosen
 * instead of a different one.
 */
export function createMlActivities(deps: { db: Db }) {
  const { db } = deps;
  // Pools are immutable once imported (content-addressed ids), so a process may keep them.
  const pools = new Map<string, PoolMatrix>();
  const poolMatrix = async (poolId: string) => {
    let m = pools.get(poolId);
    if (!m) {
      m = await loadPoolMatrix(db, poolId);
      if (m.candidateIds.length === 0)
        throw new Error(`pool ${poolId} has no candidates (import incomplete?)`);
      pools.set(poolId, m);
    }
    return m;
  };

  return {
    async chooseSeedExperiments(input: {
      campaign_id: string;
      pool_id: string;
      spec: CampaignSpec;
    }): Promise<{ candidate_ids: string[] }> {
      const existing = await getBatch(db, input.campaign_id, 0);
      if (existing) return { candidate_ids: existing.candidate_ids };
      const pool = await poolMatrix(input.pool_id);
      const { count, method } = input.spec.seed_experiments;
      const picks = chooseSeedIndices(
        pool.features,
        Math.min(count, pool.candidateIds.length),
        input.spec.random_seed,
        method,
      );
      const none = picks.map(() => null);
      const batch = await saveBatchOnce(db, {
        campaign_id: input.campaign_id,
        iteration: 0,
        candidate_ids: picks.map((i) => pool.candidateIds[i]),
        scores: none,
        predicted_mean: none,
        predicted_std: none,
        method: `seed:${method}`,
        train_size: 0,
        created_at: new Date().toISOString(),
      });
      return { candidate_ids: batch.candidate_ids };
    },

    async proposeBatch(input: {
      campaign_id: string;
      pool_id: string;
      iteration: number;
      spec: CampaignSpec;
      q: number;
    }): Promise<{ candidate_ids: string[] }> {
      const existing = await getBatch(db, input.campaign_id, input.iteration);
      if (existing) return { candidate_ids: existing.candidate_ids };
      const { spec } = input;
      const pool = await poolMatrix(input.pool_id);
      const row = new Map(pool.candidateIds.map((id, i) => [id, i]));
      const experiments = await campaignExperiments(db, input.campaign_id);
      const measured = (await campaignMeasurements(db, input.campaign_id)).filter(
        (m) => m.status === 'succeeded' && m.value !== null,
      );
      // Anything already dispatched (measured, failed or still running), or excluded by a PI's
      // decision on an earlier batch, is never proposed again.
      const taken = new Set(experiments.filter((e) => e.status !== 'cancelled').map((e) => e.candidate_id));
      for (const b of await campaignBatches(db, input.campaign_id)) {
        for (const id of b.excluded_candidate_ids ?? []) taken.add(id);
      }
      const open = pool.candidateIds.map((_, i) => i).filter((i) => !taken.has(pool.candidateIds[i]));
      const pendingRows = experiments
        .filter((e) => e.status === 'requested')
        .map((e) => row.get(e.candidate_id))
        .filter((i): i is number => i !== undefined);
      const q = Math.min(input.q, open.length);
      if (q === 0) return { candidate_ids: [] };
      const seed = (spec.random_seed + input.iteration * 7919) >>> 0;
      if (measured.length === 0) {
        // Nothing to learn from yet (every seed experiment failed): explore at random.
        const picks = shuffled(open, createRng(seed)).slice(0, q);
        const none = picks.map(() => null);
        const batch = await saveBatchOnce(db, {
          campaign_id: input.campaign_id,
          iteration: input.iteration,
          candidate_ids: picks.map((i) => pool.candidateIds[i]),
          scores: none,
          predicted_mean: none,
          predicted_std: none,
          method: 'random:no-measurements',
          train_size: 0,
          created_at: new Date().toISOString(),
        });
        return { candidate_ids: batch.candidate_ids };
      }
      Context.current().heartbeat({ stage: 'fit', train: measured.length, pool: open.length });

      const sign = spec.objective.direction === 'maximize' ? 1 : -1;
      const proposal = proposeBatch({
        X_train: measured.map((m) => pool.features[row.get(m.candidate_id) as number]),
        y_train: orientTargets(
          measured.map((m) => m.value as number),
          spec.objective.direction,
        ),
        X_pool: open.map((i) => pool.features[i]),
        X_pending: pendingRows.map((i) => pool.features[i]),
        q,
        surrogate: spec.surrogate,
        acquisition: spec.acquisition,
        seed,
      });
      const batch = await saveBatchOnce(db, {
        campaign_id: input.campaign_id,
        iteration: input.iteration,
        candidate_ids: proposal.indices.map((i) => pool.candidateIds[open[i]]),
        scores: proposal.scores,
        predicted_mean: proposal.mean.map((m) => sign * m), // back to the objective's own units
        predicted_std: proposal.std,
        method: `${spec.surrogate.kind}+${spec.acquisition.kind}`,
        train_size: measured.length,
        created_at: new Date().toISOString(),
      });
      return { candidate_ids: batch.candidate_ids };
    },
  };
}
