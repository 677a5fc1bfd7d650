/** Runs the lab load test as its own process (servers from TEMPORAL_ADDRESS / MONGODB_URI). */
import { labLoadBenchmark } from './labLoad';

labLoadBenchmark(process.argv.slice(2))
  .then((report) => process.stdout.write(JSON.stringify(report) + '\n'))
  .catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
