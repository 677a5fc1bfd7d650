/**
 * MD job spec: what one ML-potential NVT run needs, validated at the boundary (zod), plus the
 * deterministic job names that make submission idempotent (a retried activity finds the job it
 * already submitted by name instead of submitting a second one).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MdJobTemplate, checkMdSampling } from '../schemas/mdStage';

export { MD_EXECUTORS, MD_POTENTIALS, MD_THERMOSTATS } from '../schemas/mdStage';

/** The identity of the job (campaign, iteration, candidate, structure) plus the job template. */
export const mdJobSpecSchema = z
  .object({
    campaign_id: z.string().min(1),
    iteration: z.number().int().min(0),
    candidate_id: z.string().min(1),
    /** Where the structure comes from: the store resolves the candidate id to a structure. */
    structure: z
      .object({
        candidate_id: z.string().min(1),
        /** Ordered structure as extended XYZ (the adapter's input), filled in by prepare. */
        extxyz: z
          .string()
          .refine((s) => /^\s*\d+\s*\n/.test(s) && Number(s.trim().split(/\s+/)[0]) > 0, {
            message: 'structure.extxyz must be a non-empty extended XYZ (atom count > 0)',
          })
          .optional(),
      })
      .strict(),
    ...MdJobTemplate.shape,
  })
  .strict()
  .superRefine(checkMdSampling);

export type MdJobSpecInput = z.input<typeof mdJobSpecSchema>;
export type MdJobSpec = z.output<typeof mdJobSpecSchema>;

/** Parses and validates; the error lists every bad field by path. */
export function parseMdJobSpec(input: unknown): MdJobSpec {
  const r = mdJobSpecSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid MD job spec: ${issues.join('; ')}`);
  }
  return r.data;
}

/** The identity of one cluster job: one candidate at one temperature in one iteration. */
export interface MdJobKey {
  readonly campaign_id: string;
  readonly iteration: number;
  readonly candidate_id: string;
  readonly temperature_K: number;
  /** Resubmission after a transient failure (node failure) gets a new name; 0 = first. */
  readonly attempt?: number;
}

/**
 * Deterministic job name, safe for sbatch -J and directory names: readable prefix plus a hash of
 * the full key (so ids with odd characters or long names never collide after sanitising).
 */
export function mdJobName(key: MdJobKey): string {
  const attempt = key.attempt ?? 0;
  const full = `${key.campaign_id}\u0000${key.iteration}\u0000${key.candidate_id}\u0000${key.temperature_K}\u0000${attempt}`;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 12);
  return `${mdJobGroupPrefix(key.campaign_id)}i${key.iteration}-${clean(key.candidate_id, 24)}-T${Math.round(key.temperature_K)}${attempt ? `-a${attempt}` : ''}-${hash}`;
}

const clean = (s: string, n: number) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, n);

/**
 * Every job name of one campaign starts with this (readable prefix + a hash of the full campaign
 * id, so campaigns sharing their first characters never share a concurrency limit).
 */
export function mdJobGroupPrefix(campaignId: string): string {
  const hash = createHash('sha256').update(campaignId).digest('hex').slice(0, 6);
  return `crucible-md-${clean(campaignId, 24)}-${hash}-`;
}

/** One job per temperature, in spec order. */
export function mdJobKeys(spec: MdJobSpec): MdJobKey[] {
  return spec.temperatures_K.map((temperature_K) => ({
    campaign_id: spec.campaign_id,
    iteration: spec.iteration,
    candidate_id: spec.candidate_id,
    temperature_K,
  }));
}

/** The adapter's parameters for one temperature (md/engine/chgnet_md.py reads this JSON). */
export interface MdEngineParams {
  readonly job_name: string;
  readonly potential: MdJobSpec['potential'];
  readonly temperature_K: number;
  readonly timestep_fs: number;
  readonly equilibration_steps: number;
  readonly production_steps: number;
  readonly thermostat: MdJobSpec['thermostat'];
  readonly thermostat_parameter: number | null;
  readonly sampling_interval_steps: number;
  readonly supercell_min_length_A: number;
  readonly mobile_species: string;
  readonly seed: number;
  readonly threads: number;
  readonly device: 'cpu' | 'cuda';
}

export function engineParams(spec: MdJobSpec, key: MdJobKey): MdEngineParams {
  return {
    job_name: mdJobName(key),
    potential: spec.potential,
    temperature_K: key.temperature_K,
    timestep_fs: spec.timestep_fs,
    equilibration_steps: spec.equilibration_steps,
    production_steps: spec.production_steps,
    thermostat: spec.thermostat,
    thermostat_parameter: spec.thermostat_parameter ?? null,
    sampling_interval_steps: spec.sampling_interval_steps,
    supercell_min_length_A: spec.supercell_min_length_A,
    mobile_species: spec.mobile_species,
    // Same seed per temperature would correlate the runs' noise; offset it deterministically.
    seed: spec.seed + Math.round(key.temperature_K),
    threads: spec.resources.cores,
    device: spec.resources.gpus > 0 ? 'cuda' : 'cpu',
  };
}
