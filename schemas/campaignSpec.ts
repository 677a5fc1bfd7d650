import { z } from 'zod';
import { isElementSymbolName } from './elementSymbols';
import { MdStageSpec } from './mdStage';
import { formatPath } from './validation';

/**
 * The campaign spec a chemist writes (JSON or YAML-as-JSON). Versioned so that stored specs of
 * long-running campaigns stay readable when the format grows.
 */

const identifier = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'use letters, digits, _ . : - (no spaces or slashes)');

/** Column or property names end up as MongoDB keys: no '.' and no leading '$' (FerretDB and MongoDB). */
export const propertyName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use letters, digits and _ only (it becomes a MongoDB key)');

export const CsvSourceSpec = z
  .object({
    kind: z.literal('csv'),
    path: z
      .string()
      .min(1)
      .describe('CSV file with a header row; relative paths resolve from the working directory'),
    id_column: z.string().min(1),
    feature_columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('default: every numeric column except the id and target columns'),
    target_column: z
      .string()
      .min(1)
      .optional()
      .describe('hidden label, read only by the simulated lab (retrospective campaigns)'),
    cifs: z
      .string()
      .min(1)
      .optional()
      .describe(
        "folder or .tar.gz of the candidates' CIFs, each named <candidate id>.cif (needed by the cgcnn surrogate)",
      ),
    formula_column: z
      .string()
      .min(1)
      .optional()
      .describe('chemical formula of each candidate (needed by exclude_elements constraints)'),
    property_columns: z
      .record(propertyName, z.string().min(1))
      .optional()
      .describe(
        'hidden labels of further properties (additional objectives, outcome constraints), property name -> column; read only by the simulated lab',
      ),
  })
  .strict();

export const ObelixSourceSpec = z
  .object({
    kind: z.literal('obelix'),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe('folder holding OBELiX all.csv; default ../shared/datasets/obelix, else downloaded'),
  })
  .strict();

export const CandidateSourceSpec = z.discriminatedUnion('kind', [CsvSourceSpec, ObelixSourceSpec]);

export const SurrogateSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gp') }).strict(),
  z
    .object({ kind: z.literal('random_forest'), trees: z.number().int().min(1).max(2000).optional() })
    .strict(),
  z
    .object({
      kind: z.literal('gradient_boosting'),
      members: z.number().int().min(1).max(100).optional(),
      stages: z.number().int().min(1).max(5000).optional(),
      uncertainty: z
        .enum(['ensemble', 'quantile'])
        .optional()
        .describe(
          'ensemble (default): spread of bootstrap members; quantile: 5 %/95 % pinball-loss models give the std',
        ),
    })
    .strict(),
  z.object({ kind: z.literal('kernel_ridge') }).strict(),
  z
    .object({ kind: z.literal('mlp_ensemble'), members: z.number().int().min(1).max(100).optional() })
    .strict(),
  z
    .object({ kind: z.literal('sparse_gp'), inducing: z.number().int().min(1).max(10000).optional() })
    .strict(),
  z
    .object({
      kind: z.literal('cgcnn'),
      members: z.number().int().min(2).max(20).default(3).describe('deep-ensemble size (std across members)'),
      epochs: z
        .number()
        .int()
        .min(1)
        .max(500)
        .default(20)
        .describe('training epochs per member (early stopping)'),
      variance_head: z
        .boolean()
        .default(false)
        .describe(
          "each member also predicts a variance (β-NLL training, β = 0.5); the std is the members' mixture, not σ-scaled",
        ),
      architecture: z
        .object({
          atom_features: z.number().int().min(8).max(256).default(64),
          hidden: z.number().int().min(8).max(512).default(128),
          convolutions: z.number().int().min(1).max(6).default(3),
          hidden_layers: z.number().int().min(1).max(4).default(1),
        })
        .strict()
        .optional()
        .describe(
          "layer sizes; default the paper's (64, 128, 3, 1). On OBELiX, 32 / 256 / 3 / 1 tied it on test at 2.5x less training (ml/README.md)",
        ),
    })
    .strict()
    .describe("CGCNN deep ensemble on the candidates' crystal structures, retrained every iteration"),
]);

/** A cgcnn campaign needs at least this many candidate structures in its pool. */
export const MIN_CGCNN_STRUCTURES = 5;

export const AcquisitionSpec = z
  .object({
    kind: z.enum(['ei', 'log_ei', 'pi', 'ucb', 'greedy', 'random', 'thompson']),
    batch_size: z.number().int().min(1).max(1000),
    beta: z.number().positive().optional().describe('UCB exploration weight: mean + sqrt(beta) * std'),
    xi: z.number().min(0).optional().describe('EI/PI improvement margin, in target units'),
  })
  .strict();

export const SimulatedLabSpec = z
  .object({
    kind: z.literal('simulated'),
    delay_ms: z.number().int().min(0).max(3_600_000).default(0),
    noise_std: z
      .number()
      .min(0)
      .default(0)
      .describe('Gaussian noise added to the hidden value, target units'),
    failure_rate: z.number().min(0).max(1).default(0),
    seed: z.number().int().default(0),
  })
  .strict();

/** A real lab that pulls its requests over the HTTP API and posts results back. */
export const RemoteLabSpec = z
  .object({
    kind: z.literal('remote'),
    lab_id: identifier.describe('the lab whose tokens may see and answer these requests'),
    result_timeout_minutes: z
      .number()
      .positive()
      .optional()
      .describe(
        'give up waiting for a result after this long (counted as a failed experiment); a later result is still recorded, flagged late',
      ),
  })
  .strict();

export const LabSpec = z.discriminatedUnion('kind', [SimulatedLabSpec, RemoteLabSpec]);

/** The simulated lab answers as this lab id. */
export const SIMULATED_LAB_ID = 'simulated-lab';

/** Which lab answers requests of a campaign with this lab spec (and so which lab tokens see them). */
export const labIdOf = (lab: z.infer<typeof LabSpec>): string =>
  lab.kind === 'remote' ? lab.lab_id : SIMULATED_LAB_ID;

/**
 * Where a campaign's notifications go (approval needed, target reached, stalled, failed), besides
 * the notifications collection the dashboard reads. Webhooks are signed with the HMAC secret the
 * orchestration worker holds (CRUCIBLE_NOTIFY_WEBHOOK_SECRET); e-mail goes through the SMTP
 * server in CRUCIBLE_SMTP_URL. No secret belongs in a spec: specs live in workflow history.
 */
export const NotificationSpec = z
  .object({
    webhook_url: z.url({ protocol: /^https?$/ }).optional(),
    email_to: z.array(z.email()).min(1).max(50).optional(),
    stalled_after_minutes: z
      .number()
      .positive()
      .optional()
      .describe('notify when no lab result has arrived for this long while experiments are pending'),
  })
  .strict();
export type NotificationSpec = z.infer<typeof NotificationSpec>;

/**
 * Composition constraint, deterministic: candidates whose formula contains any of these elements
 * are never proposed (seed batch included).
 */
export const ExcludeElementsConstraint = z
  .object({
    kind: z.literal('exclude_elements'),
    elements: z
      .array(
        z.string().refine(isElementSymbolName, {
          error: (iss) => `unknown element symbol "${String(iss.input)}" (case matters: "Ge", not "GE")`,
        }),
      )
      .min(1)
      .max(103),
  })
  .strict();

/**
 * Outcome constraint (Gardner et al. 2014): a property the lab measures beside the objective,
 * feasible when min <= value <= max. It gets its own surrogate, and the acquisition of each
 * candidate is weighted by its probability of feasibility.
 */
export const OutcomeConstraint = z
  .object({
    kind: z.literal('outcome'),
    property: propertyName,
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    surrogate: SurrogateSpec.optional().describe(
      "default: the objective's surrogate kind, or gp when the objective's is cgcnn (constraints are modelled on features)",
    ),
  })
  .strict();

export const ConstraintSpec = z.discriminatedUnion('kind', [ExcludeElementsConstraint, OutcomeConstraint]);

export const ObjectiveSpec = z
  .object({
    property: propertyName.describe('e.g. log10_sigma (log10 of ionic conductivity in S/cm)'),
    direction: z.enum(['maximize', 'minimize']),
    target: z
      .number()
      .finite()
      .optional()
      .describe('stop once a measurement reaches this value (the primary objective only)'),
  })
  .strict();

/**
 * ParEGO scalarizes with one random weight vector per iteration, so each iteration pulls toward
 * one direction of the front, and more objectives need more iterations to cover it; Knowles
 * (2006) tested it on two- and three-objective problems. Four in all is the most we allow.
 */
export const MAX_ADDITIONAL_OBJECTIVES = 3;

/**
 * More than one objective. ParEGO (Knowles 2006): every iteration draws simplex weights
 * (seeded by random_seed and the iteration), scalarizes the measured objectives with the
 * augmented Chebyshev function, and proposes with one surrogate of that scalar.
 */
export const MultiObjectiveSpec = z
  .object({
    method: z.literal('parego'),
    additional_objectives: z
      .array(ObjectiveSpec.omit({ target: true }))
      .min(1)
      .max(MAX_ADDITIONAL_OBJECTIVES, {
        message: `ParEGO takes at most ${MAX_ADDITIONAL_OBJECTIVES + 1} objectives in all (${MAX_ADDITIONAL_OBJECTIVES} besides \`objective\`)`,
      })
      .describe(
        'the objectives besides `objective` (which stays primary: best-so-far, target, LabResult.value)',
      ),
    rho: z.number().min(0).max(1).default(0.05).describe('augmented Chebyshev weight of the sum term'),
    reference_point: z
      .array(z.number().finite())
      .optional()
      .describe(
        "hypervolume reference point, one value per objective (primary first) in each property's units; default: inferred from the front",
      ),
  })
  .strict();

/** Acquisitions a multi-objective cgcnn campaign can score (parEgoSampledAcquisition). */
const CGCNN_PAREGO_ACQUISITIONS = ['ei', 'log_ei', 'pi', 'greedy'];

/** Acquisitions whose scores are non-negative (or log), so weighting by feasibility is meaningful. */
const FEASIBILITY_ACQUISITIONS = ['ei', 'log_ei', 'pi'];

export const CampaignSpec = z
  .object({
    version: z.literal(1),
    name: identifier,
    objective: ObjectiveSpec,
    multi_objective: MultiObjectiveSpec.optional(),
    constraints: z.array(ConstraintSpec).max(20).optional(),
    source: CandidateSourceSpec,
    surrogate: SurrogateSpec,
    acquisition: AcquisitionSpec,
    budget: z
      .object({
        experiments: z.number().int().min(1),
        iterations: z.number().int().min(1),
      })
      .strict(),
    seed_experiments: z
      .object({
        count: z.number().int().min(1),
        method: z.enum(['random', 'kmeans']).default('random'),
      })
      .strict(),
    lab: LabSpec,
    random_seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    continue_as_new_every: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('iterations per workflow run before history is bounded with continue-as-new'),
    approval: z
      .object({
        required: z
          .boolean()
          .describe('a PI approves, trims or rejects every proposed batch before dispatch'),
        remind_after_minutes: z
          .number()
          .positive()
          .default(24 * 60),
      })
      .strict()
      .optional(),
    notifications: NotificationSpec.optional(),
    md: MdStageSpec.optional().describe(
      'ML-potential MD for the top candidates of each batch, optionally gating lab dispatch',
    ),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.seed_experiments.count > spec.budget.experiments) {
      ctx.addIssue({
        code: 'custom',
        path: ['seed_experiments', 'count'],
        message: `seed count ${spec.seed_experiments.count} exceeds the experiment budget ${spec.budget.experiments}`,
      });
    }
    checkOutcomes(spec, ctx);
  });

type SpecShape = {
  objective: { property: string };
  multi_objective?: { additional_objectives: { property: string }[]; reference_point?: number[] };
  constraints?: z.infer<typeof ConstraintSpec>[];
  source: z.infer<typeof CandidateSourceSpec>;
  surrogate: z.infer<typeof SurrogateSpec>;
  acquisition: { kind: string };
  lab: { kind: string };
};

/** Cross-field rules of objectives and constraints; each issue names the field to fix. */
function checkOutcomes(spec: SpecShape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const seen = new Map<string, string>([[spec.objective.property, 'objective.property']]);
  const claim = (property: string, path: (string | number)[]) => {
    const first = seen.get(property);
    if (first !== undefined) issue(path, `property "${property}" is already used by ${first}`);
    else seen.set(property, formatPath(path));
  };
  const reference = spec.multi_objective?.reference_point;
  const objectiveCount = 1 + (spec.multi_objective?.additional_objectives.length ?? 0);
  if (reference && reference.length !== objectiveCount)
    issue(
      ['multi_objective', 'reference_point'],
      `needs one value per objective (${objectiveCount}, primary first), got ${reference.length}`,
    );
  spec.multi_objective?.additional_objectives.forEach((o, i) =>
    claim(o.property, ['multi_objective', 'additional_objectives', i, 'property']),
  );
  const outcome = (spec.constraints ?? []).flatMap((c, i) => (c.kind === 'outcome' ? [{ c, i }] : []));
  for (const { c, i } of outcome) {
    const path = ['constraints', i];
    claim(c.property, [...path, 'property']);
    if (c.min === undefined && c.max === undefined)
      issue(path, 'an outcome constraint needs min, max or both');
    if (c.min !== undefined && c.max !== undefined && c.min > c.max)
      issue([...path, 'min'], `min ${c.min} is greater than max ${c.max}`);
    if (c.surrogate?.kind === 'cgcnn')
      issue(
        [...path, 'surrogate', 'kind'],
        'a constraint surrogate cannot be cgcnn (yet): use a feature surrogate',
      );
  }
  if (outcome.length > 0 && !FEASIBILITY_ACQUISITIONS.includes(spec.acquisition.kind)) {
    issue(
      ['acquisition', 'kind'],
      `outcome constraints weight the acquisition by probability of feasibility, which needs ei, log_ei or pi (got ${spec.acquisition.kind})`,
    );
  }
  // CGCNN ParEGO scores sampled scalarizations of per-objective ensembles (optimize/parego.ts):
  // improvement-based scores and the greedy scalar of the means are what it computes.
  if (
    spec.surrogate.kind === 'cgcnn' &&
    spec.multi_objective &&
    !CGCNN_PAREGO_ACQUISITIONS.includes(spec.acquisition.kind)
  ) {
    issue(
      ['acquisition', 'kind'],
      `multi_objective with the cgcnn surrogate needs ${CGCNN_PAREGO_ACQUISITIONS.join(', ')} (got ${spec.acquisition.kind})`,
    );
  }
  const excludes = (spec.constraints ?? []).some((c) => c.kind === 'exclude_elements');
  if (excludes && spec.source.kind === 'csv' && spec.source.formula_column === undefined) {
    issue(
      ['source', 'formula_column'],
      "exclude_elements constraints need the candidates' formulas: name the column",
    );
  }
  const extra = [...seen.keys()].slice(1);
  if (spec.source.kind === 'csv') {
    const columns = spec.source.property_columns ?? {};
    if (spec.objective.property in columns) {
      issue(
        ['source', 'property_columns', spec.objective.property],
        'the primary objective is source.target_column, not a property column',
      );
    }
    if (spec.lab.kind === 'simulated') {
      for (const p of extra.filter((p) => !(p in columns))) {
        issue(['source', 'property_columns'], `the simulated lab needs a hidden column for property "${p}"`);
      }
    }
  } else if (spec.lab.kind === 'simulated' && extra.length > 0) {
    issue(
      ['source', 'kind'],
      `the simulated lab on OBELiX measures only its conductivity, not ${extra.join(', ')}`,
    );
  }
}

/**
 * Every property a campaign's lab must measure per experiment: the primary objective first,
 * then additional objectives, then outcome-constraint properties.
 */
export function requiredProperties(spec: {
  objective: { property: string };
  multi_objective?: { additional_objectives: { property: string }[]; reference_point?: number[] };
  constraints?: readonly { kind: string; property?: string }[];
}): string[] {
  return [
    spec.objective.property,
    ...(spec.multi_objective?.additional_objectives.map((o) => o.property) ?? []),
    ...(spec.constraints ?? []).flatMap((c) => (c.kind === 'outcome' && c.property ? [c.property] : [])),
  ];
}

/** The objectives in order: the primary one, then `multi_objective`'s. */
export function campaignObjectives(spec: {
  objective: { property: string; direction: 'maximize' | 'minimize' };
  multi_objective?: { additional_objectives: { property: string; direction: 'maximize' | 'minimize' }[] };
}): { property: string; direction: 'maximize' | 'minimize' }[] {
  return [spec.objective, ...(spec.multi_objective?.additional_objectives ?? [])].map((o) => ({
    property: o.property,
    direction: o.direction,
  }));
}

/** Every element an exclude_elements constraint names, sorted, once. */
export function excludedElements(spec: {
  constraints?: readonly z.infer<typeof ConstraintSpec>[];
}): string[] {
  return [
    ...new Set((spec.constraints ?? []).flatMap((c) => (c.kind === 'exclude_elements' ? c.elements : []))),
  ].sort();
}

export type CampaignSpec = z.infer<typeof CampaignSpec>;
export type CampaignSpecInput = z.input<typeof CampaignSpec>;
export type CandidateSourceSpec = z.infer<typeof CandidateSourceSpec>;
export type LabSpec = z.infer<typeof LabSpec>;
export type ConstraintSpec = z.infer<typeof ConstraintSpec>;
export type OutcomeConstraint = z.infer<typeof OutcomeConstraint>;
export type SimulatedLabSpec = z.infer<typeof SimulatedLabSpec>;
