/**
 * MD job spec: what one ML-potential NVT run needs, validated at the boundary (zod), plus the
 * deterministic job names that make submission idempotent (a retried activity finds the job it
 * already submitted by name instead of submitting a second one).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MD_POTENTIALS = ['chgnet'] as const;
export const MD_THERMOSTATS = ['langevin', 'nose-hoover', 'berendsen'] as const;
export const MD_EXECUTORS = ['command', 'slurm'] as const;

export const mdResourcesSchema = z
  .object({
    cores: z.number().int().min(1).max(1024).default(1),
    gpus: z.number().int().min(0).max(16).default(0),
    /** Wall-time limit handed to the cluster (minutes); a job past it ends as TIMEOUT. */
    wall_time_minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    partition: z.string().min(1).optional(),
  })
  .strict();

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
    potential: z.enum(MD_POTENTIALS).default('chgnet'),
    /** Replicate the cell until every perpendicular width is at least this (Å). */
    supercell_min_length_A: z.number().min(0).max(100).default(10),
    temperatures_K: z
      .array(z.number().gt(0, 'temperatures must be > 0 K').max(5000))
      .min(1)
      .refine((ts) => new Set(ts).size === ts.length, { message: 'temperatures must be distinct' })
      .default([600, 800, 1000]),
    timestep_fs: z.number().gt(0).max(10).default(2),
    equilibration_steps: z.number().int().min(0).default(1000),
    production_steps: z.number().int().min(1),
    thermostat: z.enum(MD_THERMOSTATS).default('langevin'),
    /** Langevin friction (1/fs) or Nosé–Hoover/Berendsen time constant (fs), by thermostat. */
    thermostat_parameter: z.number().gt(0).optional(),
    /** Store a frame every this many production steps. */
    sampling_interval_steps: z.number().int().min(1).default(10),
    mobile_species: z.string().min(1).default('Li'),
    seed: z.number().int().min(0).default(0),
    resources: mdResourcesSchema.default({ cores: 1, gpus: 0, wall_time_minutes: 60 }),
    executor: z.enum(MD_EXECUTORS).default('slurm'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.sampling_interval_steps > spec.production_steps) {
      ctx.addIssue({
        code: 'custom',
        path: ['sampling_interval_steps'],
        message: `sampling interval (${spec.sampling_interval_steps}) exceeds production steps (${spec.production_steps})`,
      });
    }
    if (spec.production_steps / spec.sampling_interval_steps < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['production_steps'],
        message: 'production must store at least 2 frames (production_steps / sampling_interval_steps ≥ 2)',
      });
    }
  });

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
  const clean = (s: string, n: number) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, n);
  return `crucible-md-${clean(key.campaign_id, 24)}-i${key.iteration}-${clean(key.candidate_id, 24)}-T${Math.round(key.temperature_K)}${attempt ? `-a${attempt}` : ''}-${hash}`;
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
