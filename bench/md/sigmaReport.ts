import type { MdOutcome } from '../../schemas';

/**
 * The MD estimate of σ(300 K) as the MD benchmarks print it: log10 and S/cm, each with its 95 %
 * interval, and whether a measured log10 σ falls inside (null without a measurement or interval).
 */
export function sigmaReport(
  outcome: Pick<MdOutcome, 'log10_sigma_300K' | 'log10_sigma_300K_interval'>,
  measuredLog10: number | null,
) {
  const interval = outcome.log10_sigma_300K_interval;
  return {
    log10_sigma_300K: outcome.log10_sigma_300K,
    log10_sigma_300K_interval_95: interval,
    sigma_300K_S_per_cm: outcome.log10_sigma_300K === null ? null : 10 ** outcome.log10_sigma_300K,
    sigma_300K_interval_S_per_cm: interval ? interval.map((x) => 10 ** x) : null,
    measured_within_interval:
      measuredLog10 !== null && interval
        ? measuredLog10 >= interval[0] && measuredLog10 <= interval[1]
        : null,
  };
}
