/**
 * Command executor: runs the job's program on this machine, detached from the worker, in its
 * work directory. The work directory is the job's record: `pid` (set once, exclusively, so a
 * retried submit attaches instead of starting a second process), `exit_code` (written by the
 * wrapper script when the program ends, even if the worker died meanwhile), `cancelled`.
 * The wall time is enforced by coreutils `timeout` (exit 124 → timeout).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectOutputs, readProgress } from './outputs';
import { jobScript } from './prepare';
import type {
  CollectedOutputs,
  JobHandle,
  JobStatus,
  MdExecutor,
  PreparedJob,
  SubmitOptions,
  SubmitResult,
} from './types';

const PID_FILE = 'pid';
const EXIT_FILE = 'exit_code';
const CANCEL_FILE = 'cancelled';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export class CommandExecutor implements MdExecutor {
  readonly kind = 'command' as const;
  /** Jobs this process started, for the concurrency limit (local runs share one machine). */
  private readonly started = new Map<string, JobHandle>();

  async find(name: string, workDir: string): Promise<JobHandle | null> {
    const pid = readNumber(path.join(workDir, PID_FILE));
    return pid === undefined ? null : { executor: 'command', name, id: String(pid), workDir };
  }

  async submit(job: PreparedJob, options: SubmitOptions = {}): Promise<SubmitResult> {
    const existing = await this.find(job.name, job.workDir);
    if (existing) return { kind: 'attached', handle: existing };
    if (options.maxConcurrent !== undefined && options.groupPrefix !== undefined) {
      let active = 0;
      for (const h of this.started.values()) {
        if (h.name.startsWith(options.groupPrefix) && !(await this.status(h)).endedAt) active++;
      }
      if (active >= options.maxConcurrent) return { kind: 'deferred', active, limit: options.maxConcurrent };
    }
    // Exclusive create: of two racing submitters exactly one starts the process.
    const pidFile = path.join(job.workDir, PID_FILE);
    let fd: number;
    try {
      fd = fs.openSync(pidFile + '.lock', 'wx');
    } catch {
      throw new Error(`MD job ${job.name} is being submitted by another process; retry`);
    }
    try {
      for (const stale of [EXIT_FILE, CANCEL_FILE, 'log.json', 'progress.json']) {
        fs.rmSync(path.join(job.workDir, stale), { force: true });
      }
      const script = path.join(job.workDir, 'job.sh');
      fs.writeFileSync(script, jobScript(job, { timeLimit: true }), { mode: 0o755 });
      const out = fs.openSync(path.join(job.workDir, 'stdout.log'), 'a');
      const err = fs.openSync(path.join(job.workDir, 'stderr.log'), 'a');
      const child = spawn('bash', [script], {
        cwd: job.workDir,
        detached: true,
        stdio: ['ignore', out, err],
      });
      child.unref();
      fs.closeSync(out);
      fs.closeSync(err);
      if (child.pid === undefined) throw new Error(`could not start MD job ${job.name}`);
      fs.writeFileSync(path.join(job.workDir, 'submitted_at'), String(Date.now() / 1000));
      fs.writeFileSync(pidFile, String(child.pid));
      const handle: JobHandle = {
        executor: 'command',
        name: job.name,
        id: String(child.pid),
        workDir: job.workDir,
      };
      this.started.set(job.name, handle);
      return { kind: 'submitted', handle };
    } finally {
      fs.closeSync(fd);
      fs.rmSync(pidFile + '.lock', { force: true });
    }
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const dir = handle.workDir;
    const exit = readNumber(path.join(dir, EXIT_FILE));
    const cancelled = fs.existsSync(path.join(dir, CANCEL_FILE));
    const submittedAt = readNumber(path.join(dir, 'submitted_at'));
    const endedAt = () => {
      try {
        return (
          fs.statSync(path.join(dir, fs.existsSync(path.join(dir, EXIT_FILE)) ? EXIT_FILE : CANCEL_FILE))
            .mtimeMs / 1000
        );
      } catch {
        return Date.now() / 1000;
      }
    };
    const base = { submittedAt, startedAt: submittedAt, ...readProgress(dir) };
    if (cancelled && (exit !== undefined || !alive(Number(handle.id)))) {
      return { ...base, phase: 'cancelled', detail: 'cancelled', exitCode: exit, endedAt: endedAt() };
    }
    if (exit !== undefined) {
      if (exit === 0)
        return { ...base, phase: 'completed', detail: 'exit 0', exitCode: 0, endedAt: endedAt() };
      // timeout(1): 124 when it sent TERM, 137 when it had to KILL after --kill-after.
      if (exit === 124 || exit === 137) {
        return {
          ...base,
          phase: 'timeout',
          detail: `wall time exceeded (exit ${exit})`,
          exitCode: exit,
          endedAt: endedAt(),
        };
      }
      return { ...base, phase: 'failed', detail: `exit ${exit}`, exitCode: exit, endedAt: endedAt() };
    }
    if (alive(Number(handle.id))) return { ...base, phase: 'running', detail: `pid ${handle.id}` };
    // Gone without writing its exit status: the machine or the process group was killed.
    return {
      ...base,
      phase: 'node_failure',
      detail: `pid ${handle.id} vanished without an exit status`,
      endedAt: Date.now() / 1000,
    };
  }

  async cancel(handle: JobHandle): Promise<void> {
    fs.writeFileSync(path.join(handle.workDir, CANCEL_FILE), String(Date.now() / 1000));
    try {
      process.kill(-Number(handle.id), 'SIGTERM'); // the whole process group: wrapper + engine
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  async collect(handle: JobHandle): Promise<CollectedOutputs> {
    return collectOutputs(handle.workDir);
  }
}
