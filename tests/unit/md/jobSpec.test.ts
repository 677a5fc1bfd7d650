import { mdJobGroupPrefix, mdJobKeys, mdJobName, parseMdJobSpec } from '../../../md/jobSpec';
import { LI2O_EXTXYZ } from '../../../md/referenceCells';
import { mdOutcome } from '../../../md/runOutcome';
import { CampaignSpec, MdStageSpec, type MdOutcome, passesMdGate } from '../../../schemas';
import { csvSpec } from '../../helpers/specs';

const base = {
  campaign_id: 'c1',
  iteration: 2,
  candidate_id: 'abc',
  structure: { candidate_id: 'abc', extxyz: LI2O_EXTXYZ },
  production_steps: 100,
};

describe('MD job spec', () => {
  it('fills defaults for a minimal spec', () => {
    const s = parseMdJobSpec(base);
    expect(s.temperatures_K).toEqual([600, 800, 1000]);
    expect(s.potential).toBe('chgnet');
    expect(s.executor).toBe('slurm');
    expect(s.resources).toEqual({ cores: 1, gpus: 0, wall_time_minutes: 60 });
  });

  it.each([
    [{ production_steps: -5 }, /production_steps: .*>=1/],
    [{ equilibration_steps: -1 }, /equilibration_steps/],
    [{ temperatures_K: [600, 0] }, /temperatures_K.1: temperatures must be > 0 K/],
    [{ temperatures_K: [-300] }, /temperatures must be > 0 K/],
    [{ temperatures_K: [600, 600] }, /temperatures must be distinct/],
    [{ temperatures_K: [] }, /temperatures_K/],
    [{ structure: { candidate_id: 'abc', extxyz: '0\n\n' } }, /structure.extxyz: .*atom count > 0/],
    [{ structure: { candidate_id: '' } }, /structure.candidate_id/],
    [{ timestep_fs: 0 }, /timestep_fs/],
    [{ sampling_interval_steps: 500 }, /sampling interval \(500\) exceeds production steps \(100\)/],
    [{ sampling_interval_steps: 60 }, /at least 2 frames/],
    [{ potential: 'lj' }, /potential/],
    [{ resources: { cores: 0 } }, /resources.cores/],
    [{ surprise: 1 }, /Unrecognized key/],
  ])('refuses %j with a clear error', (patch, message) => {
    expect(() => parseMdJobSpec({ ...base, ...patch })).toThrow(message);
  });

  it('names jobs deterministically per (campaign, iteration, candidate, temperature, attempt)', () => {
    const s = parseMdJobSpec({ ...base, temperatures_K: [600, 900] });
    const keys = mdJobKeys(s);
    expect(keys.map((k) => k.temperature_K)).toEqual([600, 900]);
    const a = mdJobName(keys[0]);
    expect(mdJobName({ ...keys[0] })).toBe(a);
    expect(mdJobName(keys[1])).not.toBe(a);
    expect(mdJobName({ ...keys[0], attempt: 1 })).not.toBe(a);
    expect(mdJobName({ ...keys[0], candidate_id: 'a/b c' })).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(a.startsWith(mdJobGroupPrefix('c1'))).toBe(true);
  });

  it('gives campaigns sharing their first characters different job groups', () => {
    const long = 'demo-obelix-conductivity-2026-11-27T14-41-35';
    expect(mdJobGroupPrefix(`${long}-A`)).not.toBe(mdJobGroupPrefix(`${long}-B`));
    expect(
      mdJobName({ campaign_id: `${long}-B`, iteration: 0, candidate_id: 'x', temperature_K: 600 }),
    ).not.toMatch(new RegExp(`^${mdJobGroupPrefix(`${long}-A`)}`));
  });
});

describe('campaign spec md section', () => {
  const md = { top_k: 2, job: { production_steps: 1000 }, gate_lab: { min_log10_sigma_300k: -3 } };

  it('is optional and parses with defaults', () => {
    expect(CampaignSpec.parse(csvSpec('p.csv')).md).toBeUndefined();
    const spec = CampaignSpec.parse(csvSpec('p.csv', { md }));
    expect(spec.md?.top_k).toBe(2);
    expect(spec.md?.max_concurrent_jobs).toBe(4);
    expect(spec.md?.job.temperatures_K).toEqual([600, 800, 1000]);
    expect(spec.md?.gate_lab?.min_log10_sigma_300k).toBe(-3);
  });

  it('refuses nonsense, naming the field', () => {
    const r = CampaignSpec.safeParse(
      csvSpec('p.csv', {
        md: { ...md, top_k: 0, job: { production_steps: 10, temperatures_K: [0] } } as never,
      }),
    );
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['md.top_k', 'md.job.temperatures_K.0']));
    expect(MdStageSpec.safeParse({ ...md, gate_lab: { min_log10_sigma_300k: Infinity } }).success).toBe(
      false,
    );
    expect(
      MdStageSpec.safeParse({ ...md, job: { production_steps: 10, sampling_interval_steps: 10 } }).success,
    ).toBe(false);
  });
});

describe('MD outcome and gate', () => {
  const run = { _id: 'r', campaign_id: 'c', iteration: 1, candidate_id: 'x' };
  // Ea = 0.3 eV exactly: D = D0 exp(-Ea / kT) with D0 = 1e-3 cm²/s.
  const k = 8.617333262e-5;
  const t = (T: number) => {
    const d = 1e-3 * Math.exp(-0.3 / (k * T));
    return {
      temperature_K: T,
      job_name: `j${T}`,
      diffusivity_cm2_per_s: d,
      diffusivity_stderr_cm2_per_s: 0.05 * d,
      conductivity_S_per_cm: 0,
      conductivity_stderr_S_per_cm: 0,
      num_mobile: 20,
      volume_A3: 958,
    };
  };

  it('fits Arrhenius over the temperatures and extrapolates σ(300 K) with an interval', () => {
    const o = mdOutcome(run, {
      status: 'succeeded',
      temperatures: [t(600), t(800), t(1000)],
      failure_reason: null,
    });
    expect(o.status).toBe('succeeded');
    expect(o.activation_energy_eV).toBeCloseTo(0.3, 10);
    // D(300 K) = 1e-3 exp(-0.3 / (k 300)); σ by Nernst–Einstein (20 Li in 958 Å³: 1e-7 cm²/s → 12.94 mS/cm).
    const d300 = 1e-3 * Math.exp(-0.3 / (k * 300));
    expect(o.log10_sigma_300K).toBeCloseTo(Math.log10((d300 / 1e-7) * 12.94e-3), 3);
    const [lo, hi] = o.log10_sigma_300K_interval!;
    expect(lo).toBeLessThanOrEqual(o.log10_sigma_300K!);
    expect(hi).toBeGreaterThanOrEqual(o.log10_sigma_300K!);
  });

  it('keeps σ(300 K) null for one temperature or a failed run', () => {
    expect(
      mdOutcome(run, { status: 'succeeded', temperatures: [t(600)], failure_reason: null }).log10_sigma_300K,
    ).toBeNull();
    const failed = mdOutcome(run, {
      status: 'failed',
      temperatures: [t(600), t(800)],
      failure_reason: 'boom',
    });
    expect(failed.log10_sigma_300K).toBeNull();
    expect(failed.failure_reason).toBe('boom');
  });

  it('lets only succeeded runs at or above the threshold through the gate', () => {
    const o = (status: MdOutcome['status'], v: number | null): MdOutcome => ({
      ...mdOutcome(run, { status: 'failed', temperatures: [], failure_reason: null }),
      status,
      log10_sigma_300K: v,
    });
    const gate = { min_log10_sigma_300k: -3 };
    expect(passesMdGate(o('succeeded', -2.5), gate)).toBe(true);
    expect(passesMdGate(o('succeeded', -3), gate)).toBe(true);
    expect(passesMdGate(o('succeeded', -3.5), gate)).toBe(false);
    expect(passesMdGate(o('succeeded', null), gate)).toBe(false);
    expect(passesMdGate(o('failed', -1), gate)).toBe(false);
    expect(passesMdGate(o('cancelled', -1), gate)).toBe(false);
    expect(passesMdGate(o('failed', null), undefined)).toBe(true);
  });
});
