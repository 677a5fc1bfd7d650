// Assembles what the dashboard draws from the store, one JSON document per poll. Read-only: the
// dashboard never writes; approval goes through the API's own decision route.
import type { Db } from 'mongodb';
import {
  hypervolumeTrace,
  outcomePoints,
  summarizeOutcomes,
  type OutcomePoint,
} from '../../optimize/outcomeSummary';
import type { CampaignOutcomes, CampaignStatus } from '../../schemas';
import { AuditEntry, NotificationDoc, campaignAudit, campaignNotifications } from '../../store/approvals';
import { campaignBatches } from '../../store/batches';
import { getCampaign, listCampaigns } from '../../store/campaigns';
import { campaignExperiments, campaignMeasurements } from '../../store/experiments';
import type { MdJobDoc, MdRunDoc } from '../../store/mdRuns';
import { getPool, loadLabTruth } from '../../store/pools';
import { CampaignDeps, campaignStatus } from '../campaigns';
import { HttpError } from '../errors';
import {
  batchPredictionOf,
  modelQualityByProperty,
  type ParityPoint,
  type PropertyModelQuality,
} from '../modelQuality';
import { CalibrationPoint, Direction, bestSoFarTrace, expectedBestOfRandom } from './stats';
import { candidateFormulas, poolStructureIds } from './structure';

/** The approval request as the campaign status carries it (absent on snapshots written before it existed). */
export interface AwaitingApproval {
  iteration: number;
  candidate_ids: string[];
  requested_at: string;
}

export interface CampaignRow {
  campaign_id: string;
  name: string;
  created_at: string;
  state: string;
  iteration: number | null;
  experiments_used: number | null;
  experiments_max: number | null;
  best: number | null;
  awaiting_approval: boolean;
}

/** One cluster job of an MD run (one temperature, one attempt). */
export interface MdJobView {
  name: string;
  temperature_K: number;
  attempt: number;
  phase: string;
  detail: string;
  executor: string | null;
  /** SLURM job id (or local pid). */
  job_id: string | null;
  /** When the job was first recorded (prepared and submitted): its age. Null for older records. */
  created_at: string | null;
  /** The job document's last write (a phase change, or the first poll of a polling window). */
  updated_at: string;
  /** log10 σ at this temperature (S/cm), once collected. */
  log10_sigma: number | null;
}

/** One candidate's MD run (md_runs) with its jobs (md_jobs). */
export interface MdRunView {
  run_id: string;
  candidate_id: string;
  iteration: number;
  status: string;
  created_at: string;
  finished_at: string | null;
  log10_sigma_300K: number | null;
  log10_sigma_300K_interval: [number, number] | null;
  activation_energy_eV: number | null;
  failure_reason: string | null;
  jobs: MdJobView[];
}

export interface NotificationView {
  id: string;
  kind: string;
  message: string;
  created_at: string;
  /** One entry per channel that was tried: delivered (with its time) or its last error. */
  channels: { channel: string; delivered_at: string | null; error: string | null }[];
}

/** One succeeded measurement with every objective, for the Pareto plot. */
export type OutcomePointView = OutcomePoint;

export interface CampaignView {
  campaign_id: string;
  name: string;
  objective: { property: string; direction: Direction };
  status: CampaignStatus | null;
  server_time: string;
  progress: {
    /** One entry per finished experiment (succeeded or failed), in the order results were recorded. */
    measured: (number | null)[];
    best: (number | null)[];
    /** Expected best of k random picks for k = 1..budget, or null when the pool has no hidden labels. */
    random_expected: number[] | null;
    random_note: string;
  };
  /** The primary objective's parity and calibration (for ParEGO, from its own per-objective model). */
  parity: ParityPoint[];
  calibration: { n: number; points: CalibrationPoint[] };
  /**
   * Multi-objective or constrained campaigns: the same for every objective (primary first) and
   * outcome-constraint property. Null for a plain single-objective spec.
   */
  model_quality: PropertyModelQuality[] | null;
  pending: {
    experiment_id: string;
    candidate_id: string;
    iteration: number;
    lab_id: string;
    requested_at: string;
    has_structure: boolean;
    /** Intermediate readings the lab posted so far, and when the last one arrived. */
    partial_results: number;
    last_partial_at: string | null;
    /** When the request was delivered to the lab's webhook (null: not pushed; the lab pulls). */
    pushed_at: string | null;
  }[];
  /** The best measured candidates (one row per candidate, its best succeeded measurement), best first. */
  top_candidates: {
    candidate_id: string;
    formula: string | null;
    value: number;
    iteration: number;
    has_structure: boolean;
    /** The shown measurement arrived late (after its experiment timed out or was cancelled). */
    late: boolean;
  }[];
  /** Measurements that arrived late, and how many measurements there are in all. */
  measurements: { total: number; late: number };
  /** How many candidates of the campaign's pool have a crystal structure the viewer can draw. */
  structures: { count: number };
  approval:
    | (AwaitingApproval & { candidates: { candidate_id: string; mean: number | null; std: number | null }[] })
    | null;
  md_runs: MdRunView[];
  /** The latest notifications, newest first (at most NOTIFICATIONS_SHOWN), and how many there are. */
  notifications: { total: number; items: NotificationView[] };
  /** Every approval decision (who decided what about which batch, and when), oldest first. */
  decisions: Omit<AuditEntry, '_id'>[];
  /**
   * Multi-objective or constrained campaigns: the status JSON's `outcomes` (objectives,
   * per-constraint counts, Pareto front), computed from the same measurements, plus every
   * measured point with all objectives for the plot. Null for a plain single-objective spec.
   */
  outcomes:
    | (CampaignOutcomes & {
        points: OutcomePointView[];
        /** Two or more objectives: the hypervolume after each measurement, above the current reference point. */
        hypervolume_trace: number[];
      })
    | null;
}

const TERMINAL = new Set(['completed', 'cancelled']);
const TOP_CANDIDATES = 10;
const NOTIFICATIONS_SHOWN = 20;

/**
 * The campaign's MD runs and all their jobs in two queries, whatever the number of runs: on
 * FerretDB's SQLite backend any filter but `_id` equality scans the collection, so one md_jobs
 * query per campaign per poll, never one per run (runMdJobs). The big fields (the job spec with
 * its structure, each job's MSD curve) are projected away.
 */
async function campaignMdView(db: Db, campaignId: string): Promise<MdRunView[]> {
  const [runs, jobs] = await Promise.all([
    db
      .collection<MdRunDoc>('md_runs')
      .find({ campaign_id: campaignId }, { projection: { spec_json: 0 } })
      .toArray(),
    db
      .collection<MdJobDoc>('md_jobs')
      .find({ campaign_id: campaignId }, { projection: { 'result.msd_json': 0, trajectory: 0 } })
      .toArray(),
  ]);
  const byRun = new Map<string, MdJobView[]>();
  for (const j of jobs) {
    const sigma = j.result?.conductivity_S_per_cm;
    const list = byRun.get(j.run_id) ?? [];
    list.push({
      name: j._id,
      temperature_K: j.temperature_K,
      attempt: j.attempt,
      phase: j.phase,
      detail: j.detail,
      executor: j.executor ?? null,
      job_id: j.job_id ?? null,
      created_at: j.created_at ?? null,
      updated_at: j.updated_at,
      log10_sigma: sigma !== undefined && sigma > 0 ? Math.log10(sigma) : null,
    });
    byRun.set(j.run_id, list);
  }
  return runs
    .sort((a, b) => a.iteration - b.iteration || a.created_at.localeCompare(b.created_at))
    .map((r) => ({
      run_id: r._id,
      candidate_id: r.candidate_id,
      iteration: r.iteration,
      status: r.status,
      created_at: r.created_at,
      finished_at: r.finished_at,
      log10_sigma_300K: r.log10_sigma_300K,
      log10_sigma_300K_interval: r.log10_sigma_300K_interval,
      activation_energy_eV: r.activation_energy_eV,
      failure_reason: r.failure_reason,
      jobs: (byRun.get(r._id) ?? []).sort(
        (a, b) => a.temperature_K - b.temperature_K || a.attempt - b.attempt,
      ),
    }));
}

function notificationView(n: NotificationDoc): NotificationView {
  const channels = [...new Set([...Object.keys(n.delivered ?? {}), ...Object.keys(n.delivery_errors ?? {})])]
    .sort()
    .map((c) => {
      const delivered = n.delivered?.[c as keyof NotificationDoc['delivered']] ?? null;
      // A channel that failed and was later delivered shows as delivered.
      const error = delivered ? null : (n.delivery_errors?.[c as keyof NotificationDoc['delivered']] ?? null);
      return { channel: c, delivered_at: delivered, error };
    });
  return { id: n._id, kind: n.kind, message: n.message, created_at: n.created_at, channels };
}

const awaitingOf = (s: CampaignStatus | null): AwaitingApproval | null =>
  (s as { awaiting_approval?: AwaitingApproval | null } | null)?.awaiting_approval ?? null;

export async function campaignRows(deps: CampaignDeps): Promise<CampaignRow[]> {
  const rows = await listCampaigns(deps.db);
  // Snapshots are written only at batch boundaries, so open campaigns are asked live (a query
  // served from the worker's cache); finished ones are read from their final snapshot.
  const statuses = await Promise.all(rows.map((r) => currentStatus(deps, r.last_status, r.campaign_id)));
  return rows.map((r, i) => {
    const s = statuses[i];
    return {
      campaign_id: r.campaign_id,
      name: r.name,
      created_at: r.created_at,
      state: s?.state ?? 'importing',
      iteration: s?.iteration ?? null,
      experiments_used: s?.budget.experiments_used ?? null,
      experiments_max: s?.budget.experiments_max ?? null,
      best: s?.best?.value ?? null,
      awaiting_approval: awaitingOf(s) !== null,
    };
  });
}

/** A live query waits for a worker; with none up, the page should still update from snapshots. */
const QUERY_TIMEOUT_MS = 1500;

/** Live status for an open campaign, the stored snapshot for a finished one or when Temporal is slow. */
async function currentStatus(
  deps: CampaignDeps,
  stored: CampaignStatus | null,
  id: string,
): Promise<CampaignStatus | null> {
  if (stored && TERMINAL.has(stored.state)) return stored;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), QUERY_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([campaignStatus(deps, id, { summaries: false }), timeout])) ?? stored;
  } catch (err) {
    if (stored || (err instanceof HttpError && err.statusCode === 404)) return stored;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

// Hidden labels never change once a pool import completes, so the random-search curve is
// computed once per (pool import, direction, budget) rather than on every 2 s poll.
const randomCache = new Map<string, number[] | null>();
async function randomExpectation(
  deps: CampaignDeps,
  poolId: string | null,
  direction: Direction,
  kMax: number,
) {
  if (!poolId) return { curve: null, note: 'pool not imported yet' };
  const pool = await getPool(deps.db, poolId);
  if (!pool?.complete) return { curve: null, note: 'pool not imported yet' };
  if (!pool.labelled) {
    return { curve: null, note: 'pool is unlabelled: the random-search expectation cannot be computed' };
  }
  const key = `${poolId}|${pool.imported_at}|${direction}|${kMax}`;
  if (!randomCache.has(key)) {
    const labels = [...(await loadLabTruth(deps.db, poolId)).values()];
    if (randomCache.size > 32) randomCache.clear();
    randomCache.set(key, expectedBestOfRandom(labels, kMax, direction));
  }
  return {
    curve: randomCache.get(key) ?? null,
    note: `expected best of k random picks from the pool's ${pool.size} hidden labels`,
  };
}

export async function campaignView(deps: CampaignDeps, id: string): Promise<CampaignView> {
  const doc = await getCampaign(deps.db, id);
  // A campaign appears once its workflow registered it (after the pool import starts).
  if (!doc) throw new HttpError(404, 'not_found', `no campaign "${id}"`);
  const status = await currentStatus(deps, doc.last_status, id);
  const direction = doc.spec.objective.direction;
  // One query per collection per poll (FerretDB scans for any filter but _id equality).
  const [measurements, batches, experiments, mdRuns, notifications, audit] = await Promise.all([
    campaignMeasurements(deps.db, id),
    campaignBatches(deps.db, id),
    campaignExperiments(deps.db, id),
    campaignMdView(deps.db, id),
    campaignNotifications(deps.db, id),
    campaignAudit(deps.db, id),
  ]);
  measurements.sort(
    (a, b) => a.recorded_at.localeCompare(b.recorded_at) || a.experiment_id.localeCompare(b.experiment_id),
  );
  const measured = measurements.map((m) => (m.status === 'succeeded' ? m.value : null));
  const kMax = Math.max(status?.budget.experiments_max ?? 0, measurements.length, 1);
  const random = await randomExpectation(deps, doc.pool_id, direction, kMax);

  // Every objective and outcome constraint; the primary objective first.
  const quality = modelQualityByProperty(doc.spec, measurements, batches);

  // Top measured candidates, best first, one row each.
  const sign = direction === 'maximize' ? -1 : 1;
  const bestOf = new Map<string, { value: number; iteration: number; late: boolean }>();
  for (const m of measurements) {
    if (m.status !== 'succeeded' || m.value === null) continue;
    const prev = bestOf.get(m.candidate_id);
    if (!prev || sign * (m.value - prev.value) < 0)
      bestOf.set(m.candidate_id, { value: m.value, iteration: m.iteration, late: m.late === true });
  }
  const top = [...bestOf.entries()]
    .sort((a, b) => sign * (a[1].value - b[1].value) || a[0].localeCompare(b[0]))
    .slice(0, TOP_CANDIDATES);
  const [structureIds, formulas] = await Promise.all([
    poolStructureIds(deps, doc.pool_id),
    candidateFormulas(
      deps,
      doc.pool_id,
      top.map(([c]) => c),
    ),
  ]);

  const awaiting = awaitingOf(status);
  const approvalBatch = awaiting ? batches.find((b) => b.iteration === awaiting.iteration) : undefined;
  return {
    campaign_id: id,
    name: doc.spec.name,
    objective: { property: doc.spec.objective.property, direction },
    status,
    server_time: new Date().toISOString(),
    progress: {
      measured,
      best: bestSoFarTrace(measured, direction),
      random_expected: random.curve,
      random_note: random.note,
    },
    parity: quality[0].parity,
    calibration: quality[0].calibration,
    // A plain single-objective campaign has only the primary's plots above.
    model_quality: quality.length > 1 ? quality : null,
    pending: experiments
      .filter((e) => e.status === 'requested')
      .sort((a, b) => a.requested_at.localeCompare(b.requested_at))
      .map((e) => ({
        experiment_id: e.experiment_id,
        candidate_id: e.candidate_id,
        iteration: e.iteration,
        lab_id: e.lab_id,
        requested_at: e.requested_at,
        has_structure: structureIds.has(e.candidate_id),
        partial_results: e.partial_results ?? 0,
        last_partial_at: e.last_partial_at ?? null,
        pushed_at: e.pushed_at ?? null,
      })),
    top_candidates: top.map(([c, m]) => ({
      candidate_id: c,
      formula: formulas.get(c) ?? null,
      value: m.value,
      iteration: m.iteration,
      has_structure: structureIds.has(c),
      late: m.late,
    })),
    measurements: { total: measurements.length, late: measurements.filter((m) => m.late === true).length },
    structures: { count: structureIds.size },
    approval: awaiting && {
      ...awaiting,
      candidates: awaiting.candidate_ids.map((c) => {
        const i = approvalBatch?.candidate_ids.indexOf(c) ?? -1;
        const p =
          approvalBatch && i >= 0
            ? batchPredictionOf(approvalBatch, doc.spec.objective.property, true)
            : null;
        return { candidate_id: c, mean: p?.mean[i] ?? null, std: p?.std[i] ?? null };
      }),
    },
    md_runs: mdRuns,
    notifications: {
      total: notifications.length,
      items: notifications.slice(-NOTIFICATIONS_SHOWN).reverse().map(notificationView),
    },
    decisions: audit.map(({ _id, ...entry }) => entry),
    outcomes: outcomesView(doc.spec, measurements),
  };
}

/** summarizeOutcomes (what `GET /campaigns/:id` reports) plus every point it was computed from. */
function outcomesView(
  spec: Parameters<typeof summarizeOutcomes>[0],
  measurements: Parameters<typeof summarizeOutcomes>[1],
): CampaignView['outcomes'] {
  const summary = summarizeOutcomes(spec, measurements);
  return (
    summary && {
      ...summary,
      points: outcomePoints(spec, measurements),
      hypervolume_trace: summary.hypervolume
        ? hypervolumeTrace(spec, measurements, summary.hypervolume.reference_point)
        : [],
    }
  );
}
