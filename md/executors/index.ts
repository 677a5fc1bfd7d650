/** Executors behind one interface, and a polling helper for callers outside workflows. */
import { CommandExecutor } from './command';
import { SlurmExecutor } from './slurm';
import { type JobHandle, type JobStatus, type MdExecutor, TERMINAL_PHASES } from './types';

export * from './types';
export { CommandExecutor } from './command';
export { SlurmExecutor, phaseOfSlurmState } from './slurm';
export { prepareMdJob, CHGNET_ENGINE } from './prepare';
export { collectOutputs } from './outputs';

export function executorFor(kind: 'command' | 'slurm'): MdExecutor {
  return kind === 'slurm' ? new SlurmExecutor() : new CommandExecutor();
}

/**
 * Polls until the job reaches a terminal phase (timers between polls, no busy loop). Workflows
 * do not use this: they poll from an activity with heartbeats and sleep with workflow timers.
 */
export async function waitForJob(
  executor: MdExecutor,
  handle: JobHandle,
  options: { pollMs?: number; timeoutMs?: number; onStatus?: (s: JobStatus) => void } = {},
): Promise<JobStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  for (;;) {
    const s = await executor.status(handle);
    options.onStatus?.(s);
    if (TERMINAL_PHASES.has(s.phase)) return s;
    if (Date.now() > deadline)
      throw new Error(`MD job ${handle.name} still ${s.phase} after ${options.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}
