import { labLoadBenchmark } from '../../bench/lab/labLoad';
import { requireServers } from '../helpers/integration';

// The load test of the lab API, small enough for CI: 10 labs pull their requests over HTTP and
// post 300 results, re-posting a fifth of them (some with a different value). Every result must
// be recorded exactly once and none lost. `npm run bench -- lab-load` runs the full 50 × 5,000.
requireServers();

it('records every result of 10 concurrent labs exactly once, absorbing duplicates', async () => {
  const report = await labLoadBenchmark(['--results', '300', '--labs', '10', '--timeout-s', '400']);
  expect(report).toMatchObject({ experiments: 300, recorded: 300, lost: 0, recorded_more_than_once: 0 });
  expect(report.duplicates_absorbed).toBeGreaterThan(30);
}, 480_000);
