import { parseOrThrow, ExperimentRequest, LabResult, SimulatedLabSpec } from '../../../schemas';
import { simulateMeasurement } from '../../../lab/simulatedLab';

const request = (id: string, lab: Partial<SimulatedLabSpec> = {}): ExperimentRequest => ({
  experiment_id: id,
  campaign_id: 'c',
  pool_id: 'p',
  candidate_id: 'x',
  iteration: 1,
  property: 'y',
  lab: { kind: 'simulated', delay_ms: 0, noise_std: 0, failure_rate: 0, seed: 3, ...lab },
});

describe('simulateMeasurement', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  it('returns the hidden value exactly without noise, as a valid lab result', () => {
    const r = simulateMeasurement(request('e1'), -3.25, now);
    expect(parseOrThrow(LabResult, r, 'lab result')).toEqual(r);
    expect(r).toMatchObject({ status: 'succeeded', value: -3.25, experiment_id: 'e1' });
  });
  it('adds Gaussian noise of the configured size, deterministically per experiment', () => {
    const values = Array.from(
      { length: 4000 },
      (_, i) => simulateMeasurement(request(`e${i}`, { noise_std: 0.5 }), 1, now).value as number,
    );
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    expect(mean).toBeCloseTo(1, 1);
    expect(sd).toBeGreaterThan(0.47);
    expect(sd).toBeLessThan(0.53);
    expect(simulateMeasurement(request('e7', { noise_std: 0.5 }), 1, now)).toEqual(
      simulateMeasurement(request('e7', { noise_std: 0.5 }), 1, now),
    );
  });
  it('fails at the configured rate with a reason and no value', () => {
    const results = Array.from({ length: 2000 }, (_, i) =>
      simulateMeasurement(request(`f${i}`, { failure_rate: 0.25 }), 1, now),
    );
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.length / results.length).toBeGreaterThan(0.22);
    expect(failed.length / results.length).toBeLessThan(0.28);
    expect(failed.every((r) => r.value === undefined && r.failure_reason)).toBe(true);
  });
});
