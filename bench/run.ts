/**
 * Benchmark dispatcher: `npm run bench -- <name> -- [args]`. Each benchmark registers here and
 * returns its report; the report's compact JSON is the last line of stdout.
 */
import { cgcnnDiscoveryBenchmark, USAGE as CGCNN_DISCOVERY_USAGE } from './discovery/cgcnnCampaign';
import { compactReport, discoveryBenchmark, USAGE as DISCOVERY_USAGE } from './discovery/main';
import { labLoadBenchmark, USAGE as LAB_LOAD_USAGE } from './lab/labLoad';
import { mdBenchmark, USAGE as MD_USAGE } from './md/md';
import { obelixMdBenchmark, USAGE as MD_OBELIX_USAGE } from './md/obelix';
import { campaignProposalBenchmark, USAGE as CAMPAIGN_PROPOSAL_USAGE } from './propose/campaign';
import { ensembleBatchBenchmark, USAGE as ENSEMBLE_BATCH_USAGE } from './propose/ensembleBatch';
import { proposeBenchmark, USAGE as PROPOSE_USAGE } from './propose/main';
import { accuracyBenchmark, USAGE as ACCURACY_USAGE } from './ml/accuracy';
import { cgcnnBenchmark, USAGE as CGCNN_USAGE } from './ml/cgcnn';
import { hyperSearchBenchmark, USAGE as CGCNN_SEARCH_USAGE } from './ml/hyperSearch';
import { withServers } from './withServers';

type Benchmark = { run: (argv: string[]) => Promise<Record<string, unknown>>; usage: string };

const BENCHMARKS: Record<string, Benchmark> = {
  discovery: { run: async (argv) => compactReport(await discoveryBenchmark(argv)), usage: DISCOVERY_USAGE },
  'cgcnn-discovery': { run: (argv) => cgcnnDiscoveryBenchmark(argv), usage: CGCNN_DISCOVERY_USAGE },
  // Needs Temporal and MongoDB: started here when the env names none.
  'lab-load': {
    run: (argv) => withServers('bench/lab/main.ts', argv, labLoadBenchmark),
    usage: LAB_LOAD_USAGE,
  },
  md: { run: (argv) => mdBenchmark(argv), usage: MD_USAGE },
  'md-obelix': { run: (argv) => obelixMdBenchmark(argv), usage: MD_OBELIX_USAGE },
  propose: { run: (argv) => proposeBenchmark(argv), usage: PROPOSE_USAGE },
  'campaign-proposal': { run: (argv) => campaignProposalBenchmark(argv), usage: CAMPAIGN_PROPOSAL_USAGE },
  'ensemble-batch': { run: (argv) => ensembleBatchBenchmark(argv), usage: ENSEMBLE_BATCH_USAGE },
  cgcnn: { run: (argv) => cgcnnBenchmark(argv), usage: CGCNN_USAGE },
  accuracy: { run: (argv) => accuracyBenchmark(argv), usage: ACCURACY_USAGE },
  'cgcnn-search': { run: (argv) => hyperSearchBenchmark(argv), usage: CGCNN_SEARCH_USAGE },
};

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
