/**
 * One candidate's MD-fidelity outcome from its per-temperature results: with every temperature
 * done and at least two of them, an Arrhenius fit gives Ea and σ(300 K) with a 95 % interval.
 */
import type { MdOutcome, MdTemperatureResult } from '../schemas/mdStage';
import type { TrajectoryAnalysis } from './analysis';
import { extrapolateArrhenius, fitArrhenius } from './arrhenius';

/**
 * What one temperature contributes to the outcome. Its errors are the larger of the regression
 * and block-averaging errors (analysis.ts): they weight the Arrhenius fit.
 */
export function temperatureResult(
  a: TrajectoryAnalysis,
  job: { job_name: string; volume_A3: number },
): MdTemperatureResult {
  return {
    temperature_K: a.temperature_K,
    job_name: job.job_name,
    diffusivity_cm2_per_s: a.diffusivity_cm2_per_s,
    diffusivity_stderr_cm2_per_s: a.diffusivityUncertainty_cm2_per_s,
    conductivity_S_per_cm: a.conductivity_S_per_cm,
    conductivity_stderr_S_per_cm: a.conductivityUncertainty_S_per_cm,
    num_mobile: a.msd.numMobile,
    volume_A3: job.volume_A3,
  };
}

export function mdOutcome(
  run: { _id: string; campaign_id: string; iteration: number; candidate_id: string },
  input: {
    status: MdOutcome['status'];
    temperatures: MdTemperatureResult[];
    failure_reason: string | null;
  },
): MdOutcome & { activation_energy_stderr_eV: number | null } {
  const base = {
    run_id: run._id,
    campaign_id: run.campaign_id,
    iteration: run.iteration,
    candidate_id: run.candidate_id,
    temperatures: input.temperatures,
    log10_sigma_300K: null,
    log10_sigma_300K_interval: null,
    activation_energy_eV: null,
    activation_energy_stderr_eV: null,
  };
  const ts = input.temperatures;
  if (input.status !== 'succeeded' || ts.length < 2) {
    return { ...base, status: input.status, failure_reason: input.failure_reason };
  }
  try {
    const fit = fitArrhenius(
      ts.map((t) => ({
        temperature_K: t.temperature_K,
        diffusivity_cm2_per_s: t.diffusivity_cm2_per_s,
        diffusivityStdErr_cm2_per_s: t.diffusivity_stderr_cm2_per_s,
      })),
    );
    const x = extrapolateArrhenius(fit, {
      temperature_K: 300,
      numCarriers: ts[0].num_mobile,
      volume_A3: ts[0].volume_A3,
    });
    const [lo, hi] = x.conductivityInterval_S_per_cm;
    return {
      ...base,
      status: 'succeeded',
      failure_reason: null,
      log10_sigma_300K: Math.log10(x.conductivity_S_per_cm),
      log10_sigma_300K_interval:
        Number.isFinite(lo) && Number.isFinite(hi) ? [Math.log10(lo), Math.log10(hi)] : null,
      activation_energy_eV: fit.activationEnergy_eV,
      activation_energy_stderr_eV: Number.isFinite(fit.activationEnergyStdErr_eV)
        ? fit.activationEnergyStdErr_eV
        : null,
    };
  } catch (err) {
    return { ...base, status: 'failed', failure_reason: `Arrhenius fit: ${(err as Error).message}` };
  }
}
