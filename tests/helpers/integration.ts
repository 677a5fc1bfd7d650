import { bundleWorkflowCode, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalCrucible, LocalCrucibleOptions, startLocalCrucible } from '../../cli/runtime';
import { createRng } from '../../optimize/rng';

/** Integration tests run against the servers infra/test.sh started (or the ones the env names). */
export function requireServers(): { temporalAddress: string; mongoUri: string } {
  const temporalAddress = process.env.TEMPORAL_ADDRESS;
  const mongoUri = process.env.MONGODB_URI;
  if (!temporalAddress || !mongoUri) {
    throw new Error('integration tests need TEMPORAL_ADDRESS and MONGODB_URI: run them with `npm test`');
  }
  return { temporalAddress, mongoUri };
}

export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

/** MONGODB_URI with its database path replaced, for worker processes started by a test. */
export function mongoUriWithDb(uri: string, dbName: string): string {
  const u = new URL(uri);
  u.pathname = `/${dbName}`;
  return u.toString();
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: undefined });
  return bundle;
}

/**
 * A labelled CSV pool with a known optimum: y = -10·((x1−0.7)² + (x2−0.2)²) + 0.3·sin(6·x3).
 * Returns its path; the best candidate is the one nearest (0.7, 0.2).
 */
export function writeSyntheticPool(n: number, seed: number): { file: string; values: Map<string, number> } {
  const rng = createRng(seed);
  const values = new Map<string, number>();
  const lines = ['id,x1,x2,x3,y'];
  for (let i = 0; i < n; i++) {
    const [x1, x2, x3] = [rng.next(), rng.next(), rng.next()];
    const y = -10 * ((x1 - 0.7) ** 2 + (x2 - 0.2) ** 2) + 0.3 * Math.sin(6 * x3);
    const id = `cand${String(i).padStart(3, '0')}`;
    values.set(id, y);
    lines.push(`${id},${x1},${x2},${x3},${y}`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-pool-')), 'pool.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, values };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Workers, simulated lab and a client in this process, on a fresh database named after `prefix`. */
export async function startTestCrucible(
  prefix: string,
  opts: Omit<LocalCrucibleOptions, 'dbName' | 'workflowBundle' | 'quiet'> = {},
): Promise<LocalCrucible> {
  requireServers();
  const bundle = await workflowBundle();
  return startLocalCrucible({
    dbName: uniqueName(prefix),
    quiet: true,
    workflowBundle: { code: bundle.code },
    ...opts,
  });
}

/** Drops the test database and stops what startTestCrucible started. */
export async function stopTestCrucible(crucible: LocalCrucible | undefined): Promise<void> {
  await crucible?.db.dropDatabase();
  await crucible?.close();
}
