/**
 * One simulated (retrospective) campaign over a labelled pool: the "lab" is the hidden label,
 * optionally with Gaussian measurement noise, and every batch is proposed by the same
 * proposeBatch that campaigns call, so the benchmark measures the real decision code without
 * Temporal or a database around it.
 */
import type { SurrogateSpec } from '../../models/surrogate';
import type { AcquisitionSpec } from '../../optimize/acquisition';
import { proposeBatch } from '../../optimize/proposeBatch';
import { createRng, shuffled } from '../../optimize/rng';

/** How a method picks batches: the model loop, or random search (the closed-form baseline's twin). */
export type CampaignMethod =
  { kind: 'model'; surrogate: SurrogateSpec; acquisition: AcquisitionSpec } | { kind: 'random' };

export interface CampaignSettings {
  /** Batch size after the seed experiments. */
  q: number;
  /** Total experiments, seeds included. */
  budget: number;
  /** Std of Gaussian noise added to each measured label (0: the lab returns the label). */
  noiseStd: number;
}

/**
 * Runs one campaign and returns the pool indices in the order they were measured: the seed
 * experiments first, then each batch in pick order. `y` is oriented so larger is better.
 */
export function simulateCampaign(
  X: number[][],
  y: readonly number[],
  seedIndices: readonly number[],
  method: CampaignMethod,
  settings: CampaignSettings,
  seed: number,
): number[] {
  const n = X.length;
  const budget = Math.min(settings.budget, n);
  if (seedIndices.length > budget)
    throw new Error(`${seedIndices.length} seed experiments exceed the budget`);
  if (!Number.isInteger(settings.q) || settings.q < 1) throw new Error(`q must be a positive integer`);
  const labRng = createRng((seed * 7919 + 17) >>> 0);
  const measure = (i: number) => y[i] + (settings.noiseStd > 0 ? settings.noiseStd * labRng.normal() : 0);
  const order = [...seedIndices];
  const measured = new Uint8Array(n);
  for (const i of order) measured[i] = 1;
  const yObserved = order.map(measure);
  if (method.kind === 'random') {
    const rest = shuffled(
      Array.from({ length: n }, (_, i) => i).filter((i) => !measured[i]),
      createRng((seed * 104729 + 3) >>> 0),
    );
    return [...order, ...rest.slice(0, budget - order.length)];
  }
  for (let iteration = 0; order.length < budget; iteration++) {
    const poolIndex: number[] = [];
    for (let i = 0; i < n; i++) if (!measured[i]) poolIndex.push(i);
    const q = Math.min(settings.q, budget - order.length);
    const proposal = proposeBatch({
      X_train: order.map((i) => X[i]),
      y_train: yObserved,
      X_pool: poolIndex.map((i) => X[i]),
      q,
      surrogate: method.surrogate,
      acquisition: method.acquisition,
      seed: (seed * 1000 + iteration) >>> 0,
    });
    for (const k of proposal.indices) {
      const i = poolIndex[k];
      measured[i] = 1;
      order.push(i);
      yObserved.push(measure(i));
    }
  }
  return order;
}
