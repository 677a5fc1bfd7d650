import {
  CancellationScope,
  ParentClosePolicy,
  condition,
  executeChild,
  isCancellation,
} from '@temporalio/workflow';
import { type CampaignSpec, type MdOutcome, passesMdGate } from '../schemas';
import { TASK_QUEUES, mdRunId, mdWorkflowId } from './definitions';
import { mdCandidateWorkflow } from './md';

export interface MdStageInput {
  campaignId: string;
  /** The campaign's pool; structures are looked up here unless spec.md.structure_pool_id says. */
  poolId: string;
  iteration: number;
  spec: CampaignSpec;
  /** The proposed batch, in acquisition order. */
  candidateIds: string[];
  /** The campaign's cancel flag: once true, the MD children are cancelled (their jobs scancelled). */
  cancelled: () => boolean;
}

/**
 * The campaign's MD stage, between proposal and approval/lab: the first `md.top_k` candidates
 * of the batch each get an MD child workflow (mdCandidateWorkflow), run concurrently. Returns
 * the candidates that go on to the lab: the whole batch without a gate; with
 * `md.gate_lab`, only MD candidates whose σ(300 K) estimate reaches the threshold. Returns null
 * when the campaign was cancelled meanwhile. Without `md` in the spec it returns the batch as is.
 */
export async function runMdStage(input: MdStageInput): Promise<string[] | null> {
  const md = input.spec.md;
  if (!md || input.candidateIds.length === 0) return input.candidateIds;
  const promoted = input.candidateIds.slice(0, md.top_k);
  const scope = new CancellationScope();
  let finished = false;
  void condition(() => finished || input.cancelled()).then(() => {
    if (!finished) scope.cancel();
  });
  let outcomes: (MdOutcome | null)[];
  try {
    outcomes = await scope.run(() =>
      Promise.all(
        promoted.map((candidateId) => {
          const runId = mdRunId(input.campaignId, input.iteration, candidateId);
          return executeChild(mdCandidateWorkflow, {
            workflowId: mdWorkflowId(runId),
            taskQueue: TASK_QUEUES.orchestration,
            // If the campaign ends or is terminated, its MD runs are cancelled (scancel), not orphaned.
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
            args: [
              {
                run_id: runId,
                campaign_id: input.campaignId,
                iteration: input.iteration,
                candidate_id: candidateId,
                structure_pool_id: md.structure_pool_id ?? input.poolId,
                md,
              },
            ],
          }).catch((err) => {
            if (input.cancelled() && isCancellation(err)) return null;
            throw err;
          });
        }),
      ),
    );
  } finally {
    finished = true;
  }
  if (input.cancelled()) return null;
  if (!md.gate_lab) return input.candidateIds;
  const passed = new Set(
    outcomes
      .filter((o): o is MdOutcome => o !== null && passesMdGate(o, md.gate_lab))
      .map((o) => o.candidate_id),
  );
  return promoted.filter((id) => passed.has(id));
}
