/**
 * Benchmarks that need Temporal and MongoDB: with both named in the env they run here; without,
 * the script re-runs itself under infra/with-servers.sh (which starts and stops private servers)
 * and its report is the last stdout line of that run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export async function withServers(
  script: string,
  argv: string[],
  run: (argv: string[]) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  if (process.env.TEMPORAL_ADDRESS && process.env.MONGODB_URI) return run(argv);
  const child = spawnSync('bash', ['infra/with-servers.sh', 'tsx', script, ...argv], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(`${script} exited with ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
}

/** True when a SLURM controller answers (`sinfo`). */
export function slurmRunning(): boolean {
  try {
    execFileSync('sinfo', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
