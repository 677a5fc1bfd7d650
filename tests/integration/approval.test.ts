import { decideBatch } from '../../api/campaigns';
import type { LocalCrucible } from '../../cli/runtime';
import { campaignAudit, campaignNotifications } from '../../store/approvals';
import { campaignBatches } from '../../store/batches';
import { campaignExperiments } from '../../store/experiments';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES, statusQuery } from '../../workflows/definitions';
import {
  startTestCrucible,
  stopTestCrucible,
  uniqueName,
  waitFor,
  writeSyntheticPool,
} from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

let crucible: LocalCrucible;
beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_approval');
});
afterAll(async () => {
  await stopTestCrucible(crucible);
});

it('waits for a PI at every batch, reminds, and applies approve, trim and reject with an audit log', async () => {
  const pool = writeSyntheticPool(40, 21);
  const spec = csvSpec(pool.file, {
    budget: { experiments: 20, iterations: 3 },
    approval: { required: true, remind_after_minutes: 0.01 }, // a reminder every 0.6 s
  });
  const handle = await crucible.client.workflow.start(campaignWorkflow, {
    workflowId: uniqueName('approval'),
    taskQueue: TASK_QUEUES.orchestration,
    args: [{ spec }],
  });
  const deps = { client: crucible.client, db: crucible.db };
  const awaiting = async (iteration: number) =>
    waitFor(`batch ${iteration} awaiting approval`, async () => {
      const s = await handle.query(statusQuery);
      return (
        s.state === 'awaiting_approval' && s.awaiting_approval?.iteration === iteration && s.awaiting_approval
      );
    });

  // Seeds (iteration 0): nothing is dispatched before the decision.
  const seeds = await awaiting(0);
  expect(seeds.candidate_ids).toHaveLength(3);
  expect(await campaignExperiments(crucible.db, handle.workflowId)).toHaveLength(0);
  await waitFor('a reminder', async () =>
    (await campaignNotifications(crucible.db, handle.workflowId)).some((n) => n.kind === 'approval_reminder'),
  );
  await expect(
    decideBatch(deps, handle.workflowId, { iteration: 5, decision: 'approve' }, 'pi:ada'),
  ).rejects.toThrow(/iteration 5 is not awaiting approval/);
  await expect(
    decideBatch(
      deps,
      handle.workflowId,
      { iteration: 0, decision: 'trim', candidate_ids: ['nope'] },
      'pi:ada',
    ),
  ).rejects.toThrow(/nope not in batch 0/);
  await expect(
    decideBatch(deps, handle.workflowId, { iteration: 0, decision: 'trim' }, 'pi:ada'),
  ).rejects.toThrow(/candidate_ids/);
  const keep = seeds.candidate_ids.slice(0, 2);
  await decideBatch(
    deps,
    handle.workflowId,
    { iteration: 0, decision: 'trim', candidate_ids: keep },
    'pi:ada',
  );

  // Iteration 1: rejected, nothing dispatched, its candidates never proposed again.
  const first = await awaiting(1);
  expect(
    (await campaignExperiments(crucible.db, handle.workflowId)).map((e) => e.candidate_id).sort(),
  ).toEqual([...keep].sort());
  await decideBatch(
    deps,
    handle.workflowId,
    { iteration: 1, decision: 'reject', reason: 'too expensive' },
    'pi:grace',
  );

  // Iteration 2: approved whole.
  const second = await awaiting(2);
  expect(second.candidate_ids.some((id) => first.candidate_ids.includes(id))).toBe(false);
  await decideBatch(deps, handle.workflowId, { iteration: 2, decision: 'approve' }, 'pi:ada');
  await waitFor('batch 3', async () => (await handle.query(statusQuery)).awaiting_approval?.iteration === 3);
  await decideBatch(deps, handle.workflowId, { iteration: 3, decision: 'approve' }, 'pi:ada');

  const { status } = await handle.result();
  expect(status.stop_reason).toBe('iteration_budget');
  expect(status.budget.experiments_used).toBe(2 + 0 + 3 + 3);
  const audit = await campaignAudit(crucible.db, handle.workflowId);
  expect(audit.map((a) => [a.iteration, a.decision, a.decided_by])).toEqual([
    [0, 'trim', 'pi:ada'],
    [1, 'reject', 'pi:grace'],
    [2, 'approve', 'pi:ada'],
    [3, 'approve', 'pi:ada'],
  ]);
  expect(audit[1].excluded_candidate_ids.sort()).toEqual([...first.candidate_ids].sort());
  expect(audit[1].reason).toBe('too expensive');
  const batches = await campaignBatches(crucible.db, handle.workflowId);
  expect(batches[1].decision).toBe('reject');
  const notifications = await campaignNotifications(crucible.db, handle.workflowId);
  expect(notifications.filter((n) => n.kind === 'approval_needed')).toHaveLength(4);
});
