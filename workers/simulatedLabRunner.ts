import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { submitLabResult } from '../api/labResults';
import { simulateMeasurement } from '../lab/simulatedLab';
import { LabResult, SIMULATED_LAB_ID } from '../schemas';
import { ExperimentDoc, pendingExperiments } from '../store/experiments';
import { getLabTruthValues } from '../store/pools';

/**
 * The simulated lab: polls for pending requests of kind "simulated", waits each one's delay,
 * answers from the pool's hidden labels and posts through `submitLabResult`, exactly as a real
 * lab's client will. If it crashes it simply answers the still-pending requests again on
 * restart; re-posts are absorbed by the experiment id.
 */
export class SimulatedLabRunner {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> = Promise.resolve();
  posted = 0;

  constructor(
    private readonly deps: { client: Client; db: Db },
    private readonly opts: { pollMs?: number; log?: (msg: string) => void } = {},
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.polling = this.poll()
        .catch((err) => this.opts.log?.(`[lab] poll failed: ${(err as Error).message}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.pollMs ?? 200);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private async poll(): Promise<void> {
    for (const request of await pendingExperiments(this.deps.db, SIMULATED_LAB_ID, 500)) {
      if (this.inFlight.has(request._id)) continue;
      this.inFlight.add(request._id);
      setTimeout(
        () => {
          this.answer(request)
            .catch((err) => this.opts.log?.(`[lab] ${request._id}: ${(err as Error).message} (will retry)`))
            .finally(() => this.inFlight.delete(request._id));
        },
        request.lab.kind === 'simulated' ? request.lab.delay_ms : 0,
      );
    }
  }

  private async answer(request: ExperimentDoc): Promise<void> {
    if (this.stopped) return;
    const {
      _id: _ignored,
      status: _status,
      requested_at: _at,
      dispatch_calls: _calls,
      lab_id: _lab,
      ...req
    } = request;
    const truth = await getLabTruthValues(this.deps.db, req.pool_id, req.candidate_id);
    const missing = [req.property, ...(req.properties ?? [])].filter((p) =>
      p === req.property ? truth?.value == null : truth?.values[p] === undefined,
    );
    const result: LabResult =
      truth === null || truth.value === null || missing.length > 0
        ? {
            experiment_id: req.experiment_id,
            candidate_id: req.candidate_id,
            property: req.property,
            status: 'failed',
            failure_reason: `simulated lab has no hidden label of ${[...new Set(missing)].join(', ')} for this candidate (unlabelled pool)`,
            lab_id: SIMULATED_LAB_ID,
            measured_at: new Date().toISOString(),
          }
        : simulateMeasurement(req, truth.value, new Date(), truth.values);
    await submitLabResult(this.deps, result);
    this.posted += 1;
  }
}
