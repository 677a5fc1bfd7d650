/**
 * The methods the discovery benchmark can compare, by name. Crucible's own configurations run
 * in-process through proposeBatch; botorch_qlogei is the external BoTorch reference (Python).
 */
import type { CampaignMethod } from './campaign';

export const BOTORCH_METHOD = 'botorch_qlogei';

export const CRUCIBLE_METHODS: Record<string, CampaignMethod> = {
  random: { kind: 'random' },
  gp_ei: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'ei' } },
  gp_logei: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'log_ei' } },
  gp_ucb: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'ucb' } },
  gp_ucb_low: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'ucb', beta: 0.25 } },
  gp_greedy: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'greedy' } },
  gp_thompson: { kind: 'model', surrogate: { kind: 'gp' }, acquisition: { kind: 'thompson' } },
  rf_ei: { kind: 'model', surrogate: { kind: 'random_forest' }, acquisition: { kind: 'ei' } },
  rf_greedy: { kind: 'model', surrogate: { kind: 'random_forest' }, acquisition: { kind: 'greedy' } },
  rf_ucb: { kind: 'model', surrogate: { kind: 'random_forest' }, acquisition: { kind: 'ucb' } },
  gp_ucb_sched: {
    kind: 'model',
    surrogate: { kind: 'gp' },
    acquisition: { kind: 'ucb', betaSchedule: { kind: 'srinivas', scale: 0.05 } },
  },
  rf_ucb_sched: {
    kind: 'model',
    surrogate: { kind: 'random_forest' },
    acquisition: { kind: 'ucb', betaSchedule: { kind: 'srinivas', scale: 0.05 } },
  },
  rf_logei: { kind: 'model', surrogate: { kind: 'random_forest' }, acquisition: { kind: 'log_ei' } },
  gbt_greedy: {
    kind: 'model',
    surrogate: { kind: 'gradient_boosting', members: 5, stages: 60 },
    acquisition: { kind: 'greedy' },
  },
  gbt_logei: {
    kind: 'model',
    surrogate: { kind: 'gradient_boosting', members: 5, stages: 60 },
    acquisition: { kind: 'log_ei' },
  },
  // Quantile uncertainty: one unbagged mean model, std from the 5 %/95 % quantile models.
  gbtq_greedy: {
    kind: 'model',
    surrogate: { kind: 'gradient_boosting', stages: 60, uncertainty: 'quantile' },
    acquisition: { kind: 'greedy' },
  },
  gbtq_logei: {
    kind: 'model',
    surrogate: { kind: 'gradient_boosting', stages: 60, uncertainty: 'quantile' },
    acquisition: { kind: 'log_ei' },
  },
  krr_greedy: { kind: 'model', surrogate: { kind: 'kernel_ridge' }, acquisition: { kind: 'greedy' } },
  krr_ucb: { kind: 'model', surrogate: { kind: 'kernel_ridge' }, acquisition: { kind: 'ucb', beta: 1 } },
  mlp_greedy: { kind: 'model', surrogate: { kind: 'mlp_ensemble' }, acquisition: { kind: 'greedy' } },
  mlp_logei: { kind: 'model', surrogate: { kind: 'mlp_ensemble' }, acquisition: { kind: 'log_ei' } },
  sgp_greedy: { kind: 'model', surrogate: { kind: 'sparse_gp' }, acquisition: { kind: 'greedy' } },
};

/**
 * Greedy (posterior mean, Kriging-believer batches) is included because Top% rewards finding
 * many good candidates, not improving on the best one: on OBELiX it beats EI by a wide margin.
 */
export const DEFAULT_METHODS = ['random', 'gp_logei', 'gp_greedy', 'rf_ei', 'rf_greedy', BOTORCH_METHOD];

export function isKnownMethod(name: string): boolean {
  return name === BOTORCH_METHOD || Object.hasOwn(CRUCIBLE_METHODS, name);
}
