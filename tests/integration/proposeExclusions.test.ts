import { MockActivityEnvironment } from '@temporalio/testing';
import type { Db, MongoClient } from 'mongodb';
import { createMlActivities } from '../../activities/ml';
import { CampaignSpec } from '../../schemas';
import { connectMongo } from '../../store/db';
import { createMdRun, finishMdRun } from '../../store/mdRuns';
import { savePool } from '../../store/pools';
import { requireServers, uniqueName, writeSyntheticPool } from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

// proposeBatch never proposes a candidate the MD stage already simulated in this campaign,
// whether it passed the gate or not (else a campaign would pay for the same MD again).
const { mongoUri } = requireServers();
let client: MongoClient;
let db: Db;
beforeAll(async () => ({ client, db } = await connectMongo(mongoUri, uniqueName('crucible_test_propose'))));
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

it('leaves out candidates with an MD run in the campaign, but not those whose run was cancelled', async () => {
  const rows = Array.from({ length: 6 }, (_, i) => ({
    candidateId: `c${i}`,
    features: [i, i * i],
    label: i,
  }));
  await savePool(db, 'pool-md', { kind: 'test' }, { featureNames: ['a', 'b'], rows });
  const run = (candidate: string) => ({
    _id: `camp/md/${candidate}`,
    campaign_id: 'camp',
    iteration: 1,
    candidate_id: candidate,
    structure_pool_id: 'pool-md',
    spec_json: '{}',
  });
  const outcome = (status: 'failed' | 'cancelled' | 'succeeded', sigma: number | null) => ({
    status,
    log10_sigma_300K: sigma,
    log10_sigma_300K_interval: null,
    activation_energy_eV: null,
    activation_energy_stderr_eV: null,
    temperatures: [],
    failure_reason: status === 'failed' ? 'below the gate' : null,
  });
  await createMdRun(db, run('c1'));
  await finishMdRun(db, 'camp/md/c1', outcome('succeeded', -9) as never);
  await createMdRun(db, run('c2'));
  await finishMdRun(db, 'camp/md/c2', outcome('failed', null) as never);
  await createMdRun(db, run('c3'));
  await finishMdRun(db, 'camp/md/c3', outcome('cancelled', null) as never);
  await createMdRun(db, { ...run('c4'), campaign_id: 'another-campaign', _id: 'other/md/c4' });

  const spec = csvSpec(writeSyntheticPool(6, 1).file, { acquisition: { kind: 'random', batch_size: 6 } });
  const ml = createMlActivities({ db });
  const { candidate_ids } = (await new MockActivityEnvironment().run(ml.proposeBatch, {
    campaign_id: 'camp',
    pool_id: 'pool-md',
    iteration: 2,
    spec: CampaignSpec.parse(spec),
    q: 6,
  })) as { candidate_ids: string[] };
  expect([...candidate_ids].sort()).toEqual(['c0', 'c3', 'c4', 'c5']);
});
