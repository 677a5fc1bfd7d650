import { createRng } from '../optimize/rng';
import { ExperimentRequest, LabResult, SIMULATED_LAB_ID } from '../schemas';

/** FNV-1a: a stable 32-bit seed from the experiment id, so a re-run of the lab gives the same answer. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The simulated lab's answer to one request: the hidden label plus Gaussian noise, or a failure
 * with probability failure_rate. Deterministic in (lab seed, experiment id). A request for
 * several properties (`properties`) gets each further one from `hiddenValues`, with the same
 * noise_std in that property's units, drawn after the primary's (so the primary value is what a
 * single-property request would get).
 */
export function simulateMeasurement(
  request: ExperimentRequest,
  hiddenValue: number,
  now: Date,
  hiddenValues: Readonly<Record<string, number>> = {},
): LabResult {
  const lab = request.lab;
  if (lab.kind !== 'simulated')
    throw new Error(`experiment ${request.experiment_id} is for lab kind "${lab.kind}", not simulated`);
  const rng = createRng(hashSeed(`${lab.seed}:${request.experiment_id}`));
  const base = {
    experiment_id: request.experiment_id,
    candidate_id: request.candidate_id,
    property: request.property,
    lab_id: SIMULATED_LAB_ID,
    measured_at: now.toISOString(),
  };
  if (rng.next() < lab.failure_rate) {
    return {
      ...base,
      status: 'failed',
      failure_reason: 'simulated failure (sample did not survive synthesis)',
    };
  }
  const value = hiddenValue + lab.noise_std * rng.normal();
  const further = (request.properties ?? []).filter((p) => p !== request.property);
  const values: Record<string, number> = {};
  for (const p of further) {
    const hidden = hiddenValues[p];
    if (hidden === undefined)
      throw new Error(`simulated lab: no hidden value of "${p}" for ${request.candidate_id}`);
    values[p] = hidden + lab.noise_std * rng.normal();
  }
  return {
    ...base,
    status: 'succeeded',
    value,
    ...(further.length > 0 ? { values } : {}),
    ...(lab.noise_std > 0 ? { uncertainty: lab.noise_std } : {}),
  };
}
