import type { CampaignSpecInput } from '../../schemas';

/** A small valid spec over a CSV pool; tests override what they exercise. */
export function csvSpec(path: string, overrides: Partial<CampaignSpecInput> = {}): CampaignSpecInput {
  return {
    version: 1,
    name: 'test-campaign',
    objective: { property: 'y', direction: 'maximize' },
    source: { kind: 'csv', path, id_column: 'id', target_column: 'y' },
    surrogate: { kind: 'gp' },
    acquisition: { kind: 'ei', batch_size: 3 },
    budget: { experiments: 12, iterations: 10 },
    seed_experiments: { count: 3, method: 'random' },
    lab: { kind: 'simulated', delay_ms: 0, noise_std: 0, failure_rate: 0, seed: 1 },
    random_seed: 1,
    ...overrides,
  };
}
