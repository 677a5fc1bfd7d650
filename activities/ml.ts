import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Db } from 'mongodb';
import { crystalGraph, type CrystalGraph } from '../materials/crystalGraph';
import { readPymatgenJson } from '../materials/pymatgenJson';
import { selectBackend, type BackendChoice } from '../ml/backends/select';
import { cgcnnConfig, type CgcnnConfig } from '../ml/cgcnn/config';
import { CgcnnDeepEnsemble } from '../ml/ensemble/deepEnsemble';
import { trainingDataKey } from '../ml/registry/modelRegistry';
import type { TrainingOptions } from '../ml/training/train';
import { orientTargets } from '../optimize/acquisition';
import { MeasuredPoint, objectiveRows, proposeCampaignBatch } from '../optimize/campaignProposal';
import { proposeFromModelPredictions } from '../optimize/modelPredictionProposal';
import type { BatchRule } from '../optimize/predictionBatch';
import { fitColumnScaling } from '../models/standardize';
import type { EnsemblePrediction } from '../models/surrogate';
import { allowedRows } from '../optimize/compositionConstraints';
import { proposeBatch } from '../optimize/proposeBatch';
import { createRng, shuffled } from '../optimize/rng';
import { chooseSeedIndices } from '../optimize/seeds';
import { campaignObjectives, excludedElements, measuredValues } from '../schemas';
import type { CampaignSpec, Measurement } from '../schemas';
import { campaignBatches, getBatch, saveBatchOnce } from '../store/batches';
import { campaignMdRuns } from '../store/mdRuns';
import { campaignExperiments, campaignMeasurements } from '../store/experiments';
import {
  MongoCheckpointSink,
  MongoModelRegistry,
  pooledStructureIds,
  savePredictions,
} from '../store/models';
import { PoolMatrix, loadPoolMatrix } from '../store/pools';
import { getStructure, structureCandidateIds } from '../store/structures';

/**
 * Model work on the ML queue: choosing seeds and proposing batches. Each proposal is stored
 * once per (campaign, iteration), so a retried activity returns the batch already chosen
 * instead of a different one.
 */
/**
 * The crystal graph of a candidate's stored structure, or why there is none: `stored: false`
 * when the pool has no structure for it (yet), else the first line of the parse/graph error.
 */
async function storedGraph(
  db: Db,
  poolId: string,
  candidateId: string,
  options: CgcnnConfig['graph'],
): Promise<{ graph: CrystalGraph } | { reason: string; stored: boolean }> {
  const doc = await getStructure(db, poolId, candidateId);
  if (!doc) return { reason: `no structure in pool ${poolId}`, stored: false };
  try {
    return { graph: crystalGraph(readPymatgenJson(doc.structure_json, `structure ${doc._id}`), options) };
  } catch (error) {
    return { reason: (error as Error).message.split('\n')[0], stored: true };
  }
}

export function createMlActivities(deps: { db: Db }) {
  const { db } = deps;
  // Pools are immutable once imported (content-addressed ids), so a process may keep them.
  const pools = new Map<string, PoolMatrix>();
  const poolMatrix = async (poolId: string) => {
    let m = pools.get(poolId);
    if (!m) {
      m = await loadPoolMatrix(db, poolId);
      if (m.candidateIds.length === 0)
        throw new Error(`pool ${poolId} has no candidates (import incomplete?)`);
      pools.set(poolId, m);
    }
    return m;
  };

  // Rows a spec's exclude_elements constraints allow, per pool and element set (pools are immutable).
  const allowedCache = new Map<string, Set<number> | null>();
  const allowedByComposition = (poolId: string, pool: PoolMatrix, spec: CampaignSpec) => {
    const excluded = excludedElements(spec);
    if (excluded.length === 0) return null;
    const key = `${poolId}/${excluded.join(',')}`;
    let allowed = allowedCache.get(key);
    if (allowed === undefined) {
      try {
        allowed = allowedRows(pool.formulas, pool.candidateIds, new Set(excluded));
      } catch (err) {
        const field = spec.source.kind === 'csv' ? 'source.formula_column' : 'source';
        throw ApplicationFailure.nonRetryable(
          `constraints: exclude_elements needs every candidate's formula (${field}): ${(err as Error).message}`,
          'ValidationError',
        );
      }
      allowedCache.set(key, allowed);
    }
    return allowed;
  };

  // Crystal graphs of pool candidates (pools and their structures are immutable), per graph config.
  const graphCache = new Map<string, CrystalGraph | Error>();
  let backend: Promise<BackendChoice> | undefined;

  /**
   * The registered CGCNN ensemble's {mean, std} (raw target units) and its members' deviations
   * (EnsemblePrediction) for the given pool candidates, in batches; candidates whose structure
   * cannot be made into a graph are left out.
   */
  const predictWithModel = async (modelId: string, poolId: string, ids: string[]) => {
    const ctx = Context.current();
    backend ??= selectBackend({ log: (line) => ctx.log.info(line) });
    await backend;
    const record = await new MongoModelRegistry(db).get(modelId);
    if (!record) throw ApplicationFailure.nonRetryable(`model ${modelId} not found`, 'ModelNotFound');
    if (record.kind !== SURROGATE_KIND)
      throw ApplicationFailure.nonRetryable(`model ${modelId} is a ${record.kind}`, 'WrongModelKind');
    const ensemble = CgcnnDeepEnsemble.fromJSON(record.model);
    const graphOptions = ensemble.options.config.graph;
    const configKey = JSON.stringify(graphOptions);
    const used: string[] = [];
    const mean: number[] = [];
    const std: number[] = [];
    const deviations: number[][] = ensemble.members.map(() => []);
    for (let start = 0; start < ids.length; start += PREDICT_BATCH) {
      const graphs: CrystalGraph[] = [];
      for (const id of ids.slice(start, start + PREDICT_BATCH)) {
        const key = `${poolId}/${id}/${configKey}`;
        let graph = graphCache.get(key);
        if (graph === undefined) {
          const found = await storedGraph(db, poolId, id, graphOptions);
          if ('reason' in found && !found.stored) continue; // not cached: a later import may add it
          graph = 'graph' in found ? found.graph : new Error(found.reason);
          graphCache.set(key, graph);
        }
        if (graph instanceof Error) continue;
        graphs.push(graph);
        used.push(id);
      }
      if (graphs.length === 0) continue;
      const p = await ensemble.predictJoint(graphs);
      mean.push(...p.mean);
      std.push(...p.std);
      p.deviations.forEach((d, k) => deviations[k].push(...d));
      ctx.heartbeat({
        stage: 'predict',
        done: Math.min(start + PREDICT_BATCH, ids.length),
        total: ids.length,
      });
    }
    return {
      ids: used,
      prediction: {
        mean: Float64Array.from(mean),
        std: Float64Array.from(std),
        deviations: deviations.map((d) => Float64Array.from(d)),
      },
    };
  };

  return {
    ...createSurrogateTrainingActivities({ db }),

    async chooseSeedExperiments(input: {
      campaign_id: string;
      pool_id: string;
      spec: CampaignSpec;
    }): Promise<{ candidate_ids: string[] }> {
      const existing = await getBatch(db, input.campaign_id, 0);
      if (existing) return { candidate_ids: existing.candidate_ids };
      const pool = await poolMatrix(input.pool_id);
      const { count, method } = input.spec.seed_experiments;
      // A CGCNN surrogate learns only from candidates with a crystal structure: seed among those.
      let rows = pool.candidateIds.map((_, i) => i);
      if (input.spec.surrogate.kind === 'cgcnn') {
        const withStructure = await structureCandidateIds(db, input.pool_id);
        rows = rows.filter((i) => withStructure.has(pool.candidateIds[i]));
      }
      const allowed = allowedByComposition(input.pool_id, pool, input.spec);
      if (allowed) rows = rows.filter((i) => allowed.has(i));
      const picks = chooseSeedIndices(
        rows.map((i) => pool.features[i]),
        Math.min(count, rows.length),
        input.spec.random_seed,
        method,
      ).map((k) => rows[k]);
      const none = picks.map(() => null);
      const batch = await saveBatchOnce(db, {
        campaign_id: input.campaign_id,
        iteration: 0,
        candidate_ids: picks.map((i) => pool.candidateIds[i]),
        scores: none,
        predicted_mean: none,
        predicted_std: none,
        method: `seed:${method}`,
        train_size: 0,
        created_at: new Date().toISOString(),
      });
      return { candidate_ids: batch.candidate_ids };
    },

    async proposeBatch(input: {
      campaign_id: string;
      pool_id: string;
      iteration: number;
      spec: CampaignSpec;
      q: number;
      /** The CGCNN surrogate trainSurrogate registered for this iteration (cgcnn specs only). */
      model_id?: string;
      /** Multi-objective cgcnn specs: each objective's registered ensemble, by property. */
      model_ids?: Record<string, string>;
    }): Promise<{ candidate_ids: string[] }> {
      const existing = await getBatch(db, input.campaign_id, input.iteration);
      if (existing) return { candidate_ids: existing.candidate_ids };
      const { spec } = input;
      const pool = await poolMatrix(input.pool_id);
      const row = new Map(pool.candidateIds.map((id, i) => [id, i]));
      const experiments = await campaignExperiments(db, input.campaign_id);
      const measured = (await campaignMeasurements(db, input.campaign_id)).filter(
        (m) => m.status === 'succeeded' && m.value !== null,
      );
      // Anything already dispatched (measured, failed or still running), excluded by a PI's
      // decision on an earlier batch, or already simulated by the MD stage (whether or not it
      // passed the gate), is never proposed again.
      const taken = new Set(experiments.filter((e) => e.status !== 'cancelled').map((e) => e.candidate_id));
      for (const b of await campaignBatches(db, input.campaign_id)) {
        for (const id of b.excluded_candidate_ids ?? []) taken.add(id);
      }
      for (const r of await campaignMdRuns(db, input.campaign_id)) {
        if (r.status !== 'cancelled') taken.add(r.candidate_id);
      }
      let open = pool.candidateIds.map((_, i) => i).filter((i) => !taken.has(pool.candidateIds[i]));
      if (spec.surrogate.kind === 'cgcnn') {
        // The ensemble scores crystal structures: candidates without one are never proposed.
        const withStructure = await structureCandidateIds(db, input.pool_id);
        open = open.filter((i) => withStructure.has(pool.candidateIds[i]));
      }
      // Composition constraints are certain: excluded candidates never reach a model.
      const allowed = allowedByComposition(input.pool_id, pool, spec);
      if (allowed) open = open.filter((i) => allowed.has(i));
      const pendingRows = experiments
        .filter((e) => e.status === 'requested')
        .map((e) => row.get(e.candidate_id))
        .filter((i): i is number => i !== undefined);
      const q = Math.min(input.q, open.length);
      if (q === 0) return { candidate_ids: [] };
      const seed = (spec.random_seed + input.iteration * 7919) >>> 0;
      const noModel =
        spec.surrogate.kind === 'cgcnn' &&
        (spec.multi_objective ? input.model_ids === undefined : input.model_id === undefined);
      const outcomes = campaignOutcomes(spec);
      const points = measured.map((m) => measuredPoint(m, pool.features[row.get(m.candidate_id) as number]));
      const trainable = outcomes ? objectiveRows(points, outcomes.objectives).length : measured.length;
      if (trainable === 0 || noModel) {
        // Nothing to learn from yet (every seed experiment failed, or too few with structures to
        // train the CGCNN ensemble on): explore at random.
        const picks = shuffled(open, createRng(seed)).slice(0, q);
        const none = picks.map(() => null);
        const batch = await saveBatchOnce(db, {
          campaign_id: input.campaign_id,
          iteration: input.iteration,
          candidate_ids: picks.map((i) => pool.candidateIds[i]),
          scores: none,
          predicted_mean: none,
          predicted_std: none,
          method: trainable === 0 ? 'random:no-measurements' : 'random:no-model',
          train_size: 0,
          created_at: new Date().toISOString(),
        });
        return { candidate_ids: batch.candidate_ids };
      }
      Context.current().heartbeat({ stage: 'fit', train: measured.length, pool: open.length });

      const sign = spec.objective.direction === 'maximize' ? 1 : -1;
      if (spec.surrogate.kind === 'cgcnn') {
        // One ensemble (of the primary objective), or one per objective for ParEGO.
        const objectives = campaignObjectives(spec);
        const modelIds = input.model_ids ?? { [spec.objective.property]: input.model_id as string };
        const openIds = open.map((i) => pool.candidateIds[i]);
        const predictions: { ids: string[]; prediction: EnsemblePrediction }[] = [];
        for (const o of objectives) {
          const modelId = modelIds[o.property];
          if (!modelId)
            throw ApplicationFailure.nonRetryable(`no model of objective ${o.property}`, 'ModelNotFound');
          predictions.push(await predictWithModel(modelId, input.pool_id, openIds));
        }
        // Every ensemble scores the same candidates: those whose structure makes a graph.
        const ids = predictions[0].ids;
        if (predictions.some((p) => p.ids.join('\n') !== ids.join('\n')))
          throw new Error("proposeBatch: the objectives' models scored different candidates");
        if (ids.length === 0) return { candidate_ids: [] };
        // Experiments still at the lab: each objective's ensemble belief fantasizes them first.
        const pendingIds = pendingRows.map((i) => pool.candidateIds[i]);
        const pending: EnsemblePrediction[] = [];
        if (pendingIds.length > 0)
          for (const o of objectives)
            pending.push(
              (await predictWithModel(modelIds[o.property], input.pool_id, pendingIds)).prediction,
            );
        const p = proposeFromModelPredictions({
          predictions: predictions.map((x) => x.prediction),
          pending,
          objectives,
          X_pool: ids.map((id) => pool.features[row.get(id) as number]),
          measured: points,
          constraints: outcomes?.constraints ?? [],
          q,
          seed,
          acquisition: spec.acquisition,
          rho: outcomes?.rho,
          context: { inputScaling: fitColumnScaling(pool.features) },
        });
        const primary = p.predictions[spec.objective.property];
        const batch = await saveBatchOnce(db, {
          campaign_id: input.campaign_id,
          iteration: input.iteration,
          candidate_ids: p.indices.map((i) => ids[i]),
          scores: p.scores,
          predicted_mean: primary.mean,
          predicted_std: primary.std,
          method: `${p.weights ? 'parego+' : ''}cgcnn+${spec.acquisition.kind}${p.feasibility ? '+pof' : ''}${BATCH_RULE_SUFFIX[p.batchRule]}`,
          train_size: p.train_size,
          created_at: new Date().toISOString(),
          model_id: modelIds[spec.objective.property],
          ...(p.weights ? { model_ids: modelIds, parego_weights: p.weights } : {}),
          ...(p.feasibility ? { feasibility: p.feasibility } : {}),
          // A plain campaign's batch keeps its old shape: its one prediction is predicted_mean/std.
          ...(outcomes ? { property_predictions: p.predictions } : {}),
        });
        return { candidate_ids: batch.candidate_ids };
      }
      if (outcomes) {
        const p = proposeCampaignBatch({
          measured: points,
          X_pool: open.map((i) => pool.features[i]),
          X_pending: pendingRows.map((i) => pool.features[i]),
          q,
          seed,
          ...outcomes,
          surrogate: spec.surrogate,
          acquisition: spec.acquisition,
        });
        // A ParEGO pick's mean/std are of the scalar: not comparable with measured values.
        const predicted = p.scalarized ? p.mean.map(() => null) : p.mean.map((v) => sign * v);
        const batch = await saveBatchOnce(db, {
          campaign_id: input.campaign_id,
          iteration: input.iteration,
          candidate_ids: p.indices.map((i) => pool.candidateIds[open[i]]),
          scores: p.scores,
          predicted_mean: predicted,
          predicted_std: p.scalarized ? p.std.map(() => null) : p.std,
          method: `${p.weights ? 'parego+' : ''}${spec.surrogate.kind}+${spec.acquisition.kind}${p.feasibility ? '+pof' : ''}`,
          train_size: p.train_size,
          created_at: new Date().toISOString(),
          ...(p.weights ? { parego_weights: p.weights } : {}),
          ...(p.feasibility ? { feasibility: p.feasibility } : {}),
          property_predictions: p.predictions,
        });
        return { candidate_ids: batch.candidate_ids };
      }
      const proposal = proposeBatch({
        X_train: measured.map((m) => pool.features[row.get(m.candidate_id) as number]),
        y_train: orientTargets(
          measured.map((m) => m.value as number),
          spec.objective.direction,
        ),
        X_pool: open.map((i) => pool.features[i]),
        X_pending: pendingRows.map((i) => pool.features[i]),
        q,
        surrogate: spec.surrogate,
        acquisition: spec.acquisition,
        seed,
      });
      const batch = await saveBatchOnce(db, {
        campaign_id: input.campaign_id,
        iteration: input.iteration,
        candidate_ids: proposal.indices.map((i) => pool.candidateIds[open[i]]),
        scores: proposal.scores,
        predicted_mean: proposal.mean.map((m) => sign * m), // back to the objective's own units
        predicted_std: proposal.std,
        method: `${spec.surrogate.kind}+${spec.acquisition.kind}`,
        train_size: measured.length,
        created_at: new Date().toISOString(),
      });
      return { candidate_ids: batch.candidate_ids };
    },
  };
}

/** How a CGCNN batch's method names its batch rule (as before the ensemble belief: none). */
const BATCH_RULE_SUFFIX: Record<BatchRule, string> = {
  top_q: '',
  believer: '+believer',
  joint_thompson: '+joint',
  marginal_thompson: '',
};

/** A measurement as the proposal sees it: its candidate's features and every measured property. */
function measuredPoint(m: Measurement, x: number[]): MeasuredPoint {
  return { x, values: measuredValues(m) };
}

/**
 * The objectives and outcome constraints of a spec that has more than one objective or any
 * outcome constraint; null for a plain single-objective spec (which keeps its own path).
 */
function campaignOutcomes(spec: CampaignSpec) {
  const constraints = (spec.constraints ?? []).flatMap((c) => {
    if (c.kind !== 'outcome') return [];
    // A CGCNN objective's constraints are modelled on features (a GP unless the spec names one).
    const surrogate =
      c.surrogate ?? (spec.surrogate.kind === 'cgcnn' ? { kind: 'gp' as const } : spec.surrogate);
    // The spec schema refuses cgcnn here; a stored spec from elsewhere still must not reach fit().
    if (surrogate.kind === 'cgcnn')
      throw ApplicationFailure.nonRetryable(
        `constraints: ${c.property}: cgcnn cannot model a constraint`,
        'ValidationError',
      );
    return [{ property: c.property, min: c.min, max: c.max, surrogate }];
  });
  if (!spec.multi_objective && constraints.length === 0) return null;
  return { objectives: campaignObjectives(spec), constraints, rho: spec.multi_objective?.rho };
}

export interface TrainSurrogateInput {
  campaign_id: string;
  /** The pool whose `structures` hold the candidates' crystal structures. */
  pool_id: string;
  /** Only measurements of this property (default: all succeeded measurements of the campaign). */
  property?: string;
  /** Registry name (default `${campaign_id}/cgcnn`); versions increase per name. */
  model_name?: string;
  /** Deep-ensemble size (default 5). */
  members?: number;
  training?: Partial<TrainingOptions>;
  config?: Partial<CgcnnConfig>;
  /** Provenance tags stored with the model (iteration, parent model, ...). */
  tags?: Record<string, string>;
}

export interface TrainSurrogateResult {
  model_id: string;
  /** True when this training data (and options) already had a registered model. */
  reused: boolean;
  train_size: number;
  /** Measured candidates left out, each with why (no structure in the pool, unreadable). */
  skipped: { candidate_id: string; reason: string }[];
  metrics: Record<string, number>;
  /** Per member, the epoch a checkpoint let it resume from (0: trained from scratch). */
  resumed_from_epochs: number[];
  backend: string;
}

const SURROGATE_KIND = 'cgcnn_deep_ensemble';
/** Crystal graphs per inference batch in proposeBatch. */
const PREDICT_BATCH = 128;

/**
 * Surrogate training on the ML queue: a CGCNN deep ensemble on a campaign's measurements and
 * its pool's stored structures, registered in the model registry. Heartbeats every epoch of
 * every member with {member, epoch, losses, ETA}; checkpoints every epoch to MongoDB, so a
 * retry after a worker crash (or a heartbeat timeout) resumes each member at its last finished
 * epoch, and a retry after the model was registered returns it without training.
 */
export function createSurrogateTrainingActivities(deps: { db: Db }) {
  const { db } = deps;
  let backend: Promise<BackendChoice> | undefined;
  let indexes: Promise<void> | undefined;
  return {
    async trainSurrogate(input: TrainSurrogateInput): Promise<TrainSurrogateResult> {
      const ctx = Context.current();
      backend ??= selectBackend({ log: (line) => ctx.log.info(line) });
      indexes ??= MongoModelRegistry.ensureIndexes(db);
      const [choice] = await Promise.all([backend, indexes]);
      const config = cgcnnConfig(input.config ?? {});
      const members = input.members ?? 5;
      const name = input.model_name ?? `${input.campaign_id}/cgcnn`;

      // Training data: the mean of each candidate's succeeded measurements of the property (the
      // primary value, or one of the further `values` of a multi-objective campaign), ordered by id.
      const byCandidate = new Map<string, number[]>();
      for (const m of await campaignMeasurements(db, input.campaign_id)) {
        if (m.status !== 'succeeded' || m.value === null) continue;
        const value = input.property ? measuredValues(m)[input.property] : m.value;
        if (value === undefined) continue;
        byCandidate.set(m.candidate_id, [...(byCandidate.get(m.candidate_id) ?? []), value]);
      }
      const ids: string[] = [];
      const y: number[] = [];
      const graphs: CrystalGraph[] = [];
      const skipped: TrainSurrogateResult['skipped'] = [];
      for (const id of [...byCandidate.keys()].sort()) {
        const found = await storedGraph(db, input.pool_id, id, config.graph);
        if ('reason' in found) {
          skipped.push({ candidate_id: id, reason: found.reason });
          continue;
        }
        graphs.push(found.graph);
        const values = byCandidate.get(id) as number[];
        ids.push(id);
        y.push(values.reduce((a, b) => a + b, 0) / values.length);
      }
      ctx.heartbeat({ stage: 'graphs', train: ids.length, skipped: skipped.length });
      if (ids.length < 2) {
        throw ApplicationFailure.nonRetryable(
          `trainSurrogate: ${ids.length} measured candidate(s) with structures in pool ${input.pool_id}; need at least 2`,
          'NotEnoughTrainingData',
        );
      }

      const registry = new MongoModelRegistry(db);
      const ensemble = new CgcnnDeepEnsemble(
        { members, config, training: input.training },
        {
          checkpoint: new MongoCheckpointSink(db),
          signal: ctx.cancellationSignal,
          onProgress: (member, p) =>
            ctx.heartbeat({
              stage: 'train',
              member,
              members,
              epoch: p.epoch,
              epochs: p.epochs,
              train_loss: p.trainLoss,
              validation_loss: p.validationLoss,
              eta_seconds: p.etaSeconds,
            }),
        },
      );
      // Options and data together decide the model: the same data under other options is another model.
      const optionsKey = trainingDataKey([JSON.stringify(ensemble.options)], [0]).slice(0, 16);
      const dataKey = `${trainingDataKey(ids, y)}-${optionsKey}`;
      const existing = await registry.find(name, SURROGATE_KIND, dataKey);
      if (existing) {
        return {
          model_id: existing.id,
          reused: true,
          train_size: ids.length,
          skipped,
          metrics: existing.metrics,
          resumed_from_epochs: [],
          backend: choice.backend,
        };
      }

      await ensemble.fit(graphs, y);
      // A cancelled activity stops after its current epoch (checkpointed): never register that.
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('trainSurrogate cancelled');
      const validation = ensemble.members.map((m) => m.history[m.bestEpoch - 1]?.validationError ?? NaN);
      const metrics: Record<string, number> = {
        train_size: ids.length,
        members,
        validation_mae_mean: validation.reduce((a, b) => a + b, 0) / validation.length,
        epochs_mean: ensemble.members.reduce((s, m) => s + m.history.length, 0) / members,
      };
      const parent = await registry.latest(name);
      const record = await registry.register({
        name,
        kind: SURROGATE_KIND,
        dataKey,
        metrics,
        tags: {
          campaign_id: input.campaign_id,
          pool_id: input.pool_id,
          backend: choice.backend,
          ...(parent ? { parent_model_id: parent.id } : {}),
          ...input.tags,
        },
        model: ensemble.toJSON(),
      });
      return {
        model_id: record.id,
        reused: false,
        train_size: ids.length,
        skipped,
        metrics: record.metrics,
        resumed_from_epochs: ensemble.members.map((m) => m.resumedFromEpoch),
        backend: choice.backend,
      };
    },

    /**
     * Batched inference of a registered model over a pool's stored structures (all of them, or
     * candidate_ids), written to `predictions` with the model id. Heartbeats the last candidate
     * done; a retry continues after it (ids are processed in order), and writes are idempotent.
     */
    async predictPool(input: PredictPoolInput): Promise<PredictPoolResult> {
      const ctx = Context.current();
      backend ??= selectBackend({ log: (line) => ctx.log.info(line) });
      indexes ??= MongoModelRegistry.ensureIndexes(db);
      await Promise.all([backend, indexes]);
      const record = await new MongoModelRegistry(db).get(input.model_id);
      if (!record)
        throw ApplicationFailure.nonRetryable(`model ${input.model_id} not found`, 'ModelNotFound');
      if (record.kind !== SURROGATE_KIND)
        throw ApplicationFailure.nonRetryable(
          `model ${input.model_id} is a ${record.kind}`,
          'WrongModelKind',
        );
      const ensemble = CgcnnDeepEnsemble.fromJSON(record.model);
      const batchSize = input.batch_size ?? 64;
      const resumeAfter = (ctx.info.heartbeatDetails as { last_candidate_id?: string } | undefined)
        ?.last_candidate_id;
      let after = resumeAfter ?? '';
      const wanted = input.candidate_ids ? [...new Set(input.candidate_ids)].sort() : null;
      let predicted = 0;
      const skipped: { candidate_id: string; reason: string }[] = [];
      for (;;) {
        const ids = wanted
          ? wanted.filter((id) => id > after).slice(0, batchSize)
          : await pooledStructureIds(db, input.pool_id, after, batchSize);
        if (ids.length === 0) break;
        const graphs: CrystalGraph[] = [];
        const used: string[] = [];
        for (const id of ids) {
          const found = await storedGraph(db, input.pool_id, id, ensemble.options.config.graph);
          if ('reason' in found) {
            skipped.push({ candidate_id: id, reason: found.reason });
            continue;
          }
          graphs.push(found.graph);
          used.push(id);
        }
        if (graphs.length > 0) {
          const { mean, std } = await ensemble.predict(graphs);
          const now = new Date().toISOString();
          await savePredictions(
            db,
            used.map((candidate_id, k) => ({
              model_id: input.model_id,
              pool_id: input.pool_id,
              candidate_id,
              mean: mean[k],
              std: std[k],
              created_at: now,
            })),
          );
          predicted += used.length;
        }
        after = ids[ids.length - 1];
        ctx.heartbeat({ last_candidate_id: after, predicted });
      }
      return { model_id: input.model_id, predicted, skipped, resumed_after: resumeAfter ?? null };
    },
  };
}

export interface PredictPoolInput {
  model_id: string;
  pool_id: string;
  /** Only these candidates (default: every candidate with a structure in the pool). */
  candidate_ids?: string[];
  /** Candidates per inference batch (default 64). */
  batch_size?: number;
}

export interface PredictPoolResult {
  model_id: string;
  /** Predictions written by this attempt. */
  predicted: number;
  skipped: { candidate_id: string; reason: string }[];
  /** The candidate id a retried attempt continued after (from its heartbeat), else null. */
  resumed_after: string | null;
}
