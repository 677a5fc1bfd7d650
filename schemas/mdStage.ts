import { z } from 'zod';

/**
 * The MD stage of a campaign spec (`md`): which proposed candidates get ML-potential molecular
 * dynamics before the lab, how each MD job is run, and whether the MD conductivity gates lab
 * dispatch. The job template's fields are the physics and resources of md/jobSpec.ts's
 * MdJobSpec (which adds the identity: campaign, iteration, candidate, structure).
 */

export const MD_POTENTIALS = ['chgnet'] as const;
export const MD_THERMOSTATS = ['langevin', 'nose-hoover', 'berendsen'] as const;
export const MD_EXECUTORS = ['command', 'slurm'] as const;

export const MdResourcesSpec = z
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

/**
 * How a structure with partial occupancies is made ordered for MD (materials/ordering.ts): the
 * lowest-Ewald-energy ordering in the smallest supercell where the occupancies are integral.
 * Disabled, such a candidate's MD fails as before ("MD needs an ordered structure").
 */
export const MdOrderingSpec = z
  .object({
    enabled: z.boolean().default(true),
    /** Largest ordered supercell (atoms); the engine then replicates it to supercell_min_length_A. */
    max_atoms: z.number().int().min(1).max(2000).default(200),
    /** Every ordering is evaluated up to this many; above it, this many random ones refined by swaps. */
    samples: z.number().int().min(1).max(1_000_000).default(5000),
    seed: z.number().int().min(0).default(0),
    /** Largest rounding of an occupancy (count / sites − occupancy) accepted. */
    occupancy_tolerance: z.number().min(0).lt(0.5).default(0.05),
  })
  .strict();

/** What one NVT run does, for every temperature of one candidate. */
export const MdJobTemplate = z
  .object({
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
    resources: MdResourcesSpec.default({ cores: 1, gpus: 0, wall_time_minutes: 60 }),
    executor: z.enum(MD_EXECUTORS).default('slurm'),
    order_disordered: MdOrderingSpec.default({
      enabled: true,
      max_atoms: 200,
      samples: 5000,
      seed: 0,
      occupancy_tolerance: 0.05,
    }),
  })
  .strict();

/** Production must store at least two frames (shared by the template and the full job spec). */
export function checkMdSampling(
  spec: { sampling_interval_steps: number; production_steps: number },
  ctx: z.RefinementCtx,
): void {
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
}

export const MdStageSpec = z
  .object({
    top_k: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .describe('the first top_k candidates of each proposed batch (acquisition order) get MD'),
    job: MdJobTemplate.superRefine(checkMdSampling),
    structure_pool_id: z
      .string()
      .min(1)
      .optional()
      .describe('pool id under which the candidates’ structures were imported; default the campaign pool'),
    max_concurrent_jobs: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(4)
      .describe('cluster jobs of this campaign running or queued at once; the rest wait in Crucible'),
    poll_interval_seconds: z.number().min(0.1).max(3600).default(30),
    max_resubmits: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe('resubmissions of a job lost to a node failure'),
    retry: z
      .object({
        maximum_attempts: z.number().int().min(1).max(100).default(6),
        initial_interval_seconds: z.number().min(0.1).max(3600).default(10),
      })
      .strict()
      .default({ maximum_attempts: 6, initial_interval_seconds: 10 })
      .describe('activity retries (backoff ×2) on transient failures, e.g. the scheduler unreachable'),
    gate_lab: z
      .object({
        min_log10_sigma_300k: z
          .number()
          .finite()
          .describe('only MD candidates whose σ(300 K) estimate reaches this go to the lab'),
      })
      .strict()
      .optional(),
  })
  .strict();

export type MdJobTemplate = z.infer<typeof MdJobTemplate>;
export type MdOrderingSpec = z.infer<typeof MdOrderingSpec>;
export type MdStageSpec = z.infer<typeof MdStageSpec>;
export type MdStageSpecInput = z.input<typeof MdStageSpec>;

/** What one temperature of one candidate's MD gave (small: what workflows carry). */
export interface MdTemperatureResult {
  temperature_K: number;
  job_name: string;
  diffusivity_cm2_per_s: number;
  diffusivity_stderr_cm2_per_s: number;
  conductivity_S_per_cm: number;
  conductivity_stderr_S_per_cm: number;
  num_mobile: number;
  volume_A3: number;
}

/** The MD-fidelity measurement of one candidate, returned to the campaign and stored in md_runs. */
export interface MdOutcome {
  run_id: string;
  campaign_id: string;
  iteration: number;
  candidate_id: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  /** Arrhenius extrapolation to 300 K (needs ≥ 2 temperatures), else null. */
  log10_sigma_300K: number | null;
  /** 95 % interval of log10 σ(300 K); null without an interval (e.g. two temperatures, no errors). */
  log10_sigma_300K_interval: [number, number] | null;
  activation_energy_eV: number | null;
  temperatures: MdTemperatureResult[];
  failure_reason: string | null;
}

/** The gate: does this candidate's MD result let it go to the lab? */
export function passesMdGate(outcome: MdOutcome, gate: MdStageSpec['gate_lab']): boolean {
  if (!gate) return true;
  return (
    outcome.status === 'succeeded' &&
    outcome.log10_sigma_300K !== null &&
    outcome.log10_sigma_300K >= gate.min_log10_sigma_300k
  );
}
