/** The command executor on this machine: real processes, real exit statuses, real signals. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandExecutor, type PreparedJob, waitForJob } from '../../../md/executors';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-cmd-'));
let n = 0;
function job(argv: string[], name = `cmd-${process.pid}-${n++}`): PreparedJob {
  const workDir = path.join(root, name);
  fs.mkdirSync(workDir, { recursive: true });
  return { name, workDir, argv, cores: 1, gpus: 0, wallTimeMinutes: 5, env: { CRUCIBLE_TEST_VAR: 'a b' } };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pid the job's program wrote (it runs under the wrapper and `timeout`). */
async function programPid(workDir: string): Promise<number> {
  const file = path.join(workDir, 'program.pid');
  for (let i = 0; i < 200 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
  return Number(fs.readFileSync(file, 'utf8'));
}

async function expectGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid)).toBe(false);
}

describe('CommandExecutor', () => {
  jest.setTimeout(30_000);
  const ex = new CommandExecutor();

  it('runs the program in its work directory with its environment: completed, exit 0', async () => {
    const j = job(['bash', '-c', 'echo "$CRUCIBLE_TEST_VAR" > out.txt; pwd >> out.txt']);
    const r = await ex.submit(j);
    if (r.kind === 'deferred') throw new Error('deferred');
    expect(r.kind).toBe('submitted');
    const s = await waitForJob(ex, r.handle, { pollMs: 50, timeoutMs: 20_000 });
    expect(s.phase).toBe('completed');
    expect(s.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(j.workDir, 'out.txt'), 'utf8')).toBe(`a b\n${j.workDir}\n`);
  });

  it('maps a non-zero exit to failed with the exit code', async () => {
    const r = await ex.submit(job(['bash', '-c', 'exit 3']));
    if (r.kind === 'deferred') throw new Error('deferred');
    const s = await waitForJob(ex, r.handle, { pollMs: 50, timeoutMs: 20_000 });
    expect(s.phase).toBe('failed');
    expect(s.exitCode).toBe(3);
  });

  it('attaches to the job of the same name instead of starting a second process', async () => {
    const j = job(['bash', '-c', 'echo x >> runs.txt; sleep 1']);
    const first = await ex.submit(j);
    const again = await new CommandExecutor().submit(j); // a fresh worker process after a crash
    if (first.kind === 'deferred' || again.kind === 'deferred') throw new Error('deferred');
    expect(again.kind).toBe('attached');
    expect(again.handle.id).toBe(first.handle.id);
    await waitForJob(ex, first.handle, { pollMs: 50, timeoutMs: 20_000 });
    expect(fs.readFileSync(path.join(j.workDir, 'runs.txt'), 'utf8')).toBe('x\n');
    expect(await ex.find(j.name, j.workDir)).toEqual(first.handle);
  });

  it('cancels the whole process group, the program under `timeout` included: cancelled', async () => {
    const j = job(['bash', '-c', 'echo $$ > program.pid; exec sleep 60']);
    const r = await ex.submit(j);
    if (r.kind === 'deferred') throw new Error('deferred');
    const program = await programPid(j.workDir);
    expect((await ex.status(r.handle)).phase).toBe('running');
    await ex.cancel(r.handle);
    const s = await waitForJob(ex, r.handle, { pollMs: 50, timeoutMs: 20_000 });
    expect(s.phase).toBe('cancelled');
    await expectGone(program);
  });

  it('reports a job killed without an exit status as a node failure', async () => {
    const j = job(['bash', '-c', 'echo $$ > program.pid; exec sleep 60']);
    const r = await ex.submit(j);
    if (r.kind === 'deferred') throw new Error('deferred');
    const program = await programPid(j.workDir);
    process.kill(-Number(r.handle.id), 'SIGKILL'); // the wrapper dies too: nobody writes exit_code
    const s = await waitForJob(ex, r.handle, { pollMs: 50, timeoutMs: 20_000 });
    expect(s.phase).toBe('node_failure');
    await expectGone(program); // a lost job must not keep running beside its resubmission
  });

  it('defers past the concurrency limit of a job group', async () => {
    const a = await ex.submit(job(['sleep', '60'], `grp-${process.pid}-a`), {
      groupPrefix: `grp-${process.pid}-`,
      maxConcurrent: 1,
    });
    const b = await ex.submit(job(['sleep', '60'], `grp-${process.pid}-b`), {
      groupPrefix: `grp-${process.pid}-`,
      maxConcurrent: 1,
    });
    expect(a.kind).toBe('submitted');
    expect(b).toEqual({ kind: 'deferred', active: 1, limit: 1 });
    if (a.kind !== 'deferred') {
      await ex.cancel(a.handle);
      await waitForJob(ex, a.handle, { pollMs: 50, timeoutMs: 20_000 });
    }
    const c = await ex.submit(job(['true'], `grp-${process.pid}-c`), {
      groupPrefix: `grp-${process.pid}-`,
      maxConcurrent: 1,
    });
    expect(c.kind).toBe('submitted');
  });
});
