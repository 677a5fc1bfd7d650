/**
 * Benchmark dispatcher: `npm run bench -- <name> -- [args]`. Each benchmark registers here and
 * returns its report; the report's compact JSON is the last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { compactReport, discoveryBenchmark, USAGE as DISCOVERY_USAGE } from './discovery/main';
import { labLoadBenchmark, USAGE as LAB_LOAD_USAGE } from './lab/labLoad';
import { mdBenchmark, USAGE as MD_USAGE } from './md/md';
import { obelixMdBenchmark, USAGE as MD_OBELIX_USAGE } from './md/obelix';
import { proposeBenchmark, USAGE as PROPOSE_USAGE } from './propose/main';
import { accuracyBenchmark, USAGE as ACCURACY_USAGE } from './ml/accuracy';
import { cgcnnBenchmark, USAGE as CGCNN_USAGE } from './ml/cgcnn';

type Benchmark = { run: (argv: string[]) => Promise<Record<string, unknown>>; usage: string };

const BENCHMARKS: Record<string, Benchmark> = {
  discovery: { run: async (argv) => compactReport(await discoveryBenchmark(argv)), usage: DISCOVERY_USAGE },
  'lab-load': { run: labLoad, usage: LAB_LOAD_USAGE },
  md: { run: (argv) => mdBenchmark(argv), usage: MD_USAGE },
  'md-obelix': { run: (argv) => obelixMdBenchmark(argv), usage: MD_OBELIX_USAGE },
  propose: { run: (argv) => proposeBenchmark(argv), usage: PROPOSE_USAGE },
  cgcnn: { run: (argv) => cgcnnBenchmark(argv), usage: CGCNN_USAGE },
  accuracy: { run: (argv) => accuracyBenchmark(argv), usage: ACCURACY_USAGE },
};

/** The lab load test needs Temporal and MongoDB: without them in the env, it re-runs itself under infra/with-servers.sh. */
async function labLoad(argv: string[]): Promise<Record<string, unknown>> {
  if (process.env.TEMPORAL_ADDRESS && process.env.MONGODB_URI) return labLoadBenchmark(argv);
  const root = path.resolve(__dirname, '..');
  const child = spawnSync('bash', ['infra/with-servers.sh', 'tsx', 'bench/lab/main.ts', ...argv], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(`lab-load exited with ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const argv = rest[0] === '--' ? rest.slice(1) : rest; // npm may pass the second `--` through
  const bench = name ? BENCHMARKS[name] : undefined;
  if (!bench) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join(' | ')}> -- [args]\n`);
    process.exit(2);
  }
  if (argv.includes('--help')) {
    process.stdout.write(bench.usage + '\n');
    return;
  }
  const report = await bench.run(argv);
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
