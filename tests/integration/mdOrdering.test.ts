/**
 * prepareMdRun on the real FerretDB with a disordered OBELiX candidate (97b, Li3.6Sc3.6Zr0.4O8):
 * ordered for MD by default and recorded in md_runs; refused as before when ordering is disabled.
 */
import * as os from 'node:os';
import type { Db, MongoClient } from 'mongodb';
import { createMdActivities } from '../../activities/md';
import { toPymatgenDict } from '../../materials/pymatgenJson';
import { connectMongo } from '../../store/db';
import { getMdRun } from '../../store/mdRuns';
import { saveStructures } from '../../store/structures';
import { MdJobTemplate } from '../../schemas/mdStage';
import type { Structure } from '../../materials/structure';
import { readObelixCifs } from '../unit/materials/obelix';
import { requireServers, uniqueName } from '../helpers/integration';

const { mongoUri } = requireServers();
const dbName = uniqueName('crucible_test_md_ordering');
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  ({ client, db } = await connectMongo(mongoUri, dbName));
  const s = readObelixCifs(['97b']).get('97b') as Structure;
  expect(s.isOrdered).toBe(false);
  await saveStructures(db, 'pool', [
    {
      candidate_id: '97b',
      formula: s.composition.formula,
      num_sites: s.numSites,
      is_ordered: false,
      space_group: { number: 1, symbol: 'P1' },
      matches_stated_space_group: null,
      structure_json: JSON.stringify(toPymatgenDict(s)),
    },
  ]);
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const input = (run_id: string, job: object) => ({
  run_id,
  campaign_id: 'c-order',
  iteration: 0,
  candidate_id: '97b',
  structure_pool_id: 'pool',
  job: MdJobTemplate.parse({ production_steps: 100, executor: 'command', ...job }),
});

describe('prepareMdRun with a disordered candidate', () => {
  it('orders it and records what was done in md_runs', async () => {
    const acts = createMdActivities({ db, root: os.tmpdir() });
    await acts.prepareMdRun(input('run-ordered', {}));
    const run = await getMdRun(db, 'run-ordered');
    expect(run?.ordering).toMatchObject({
      supercell: [1, 1, 2],
      num_atoms: 31,
      formula: 'Li7 Zr1 Sc7 O16',
      exhaustive: true,
      configurations_evaluated: 64,
      seed: 0,
    });
    const spec = JSON.parse(run?.spec_json as string);
    expect(spec.structure.extxyz.split('\n')[0]).toBe('31');
    expect(spec.order_disordered.enabled).toBe(true);
  });

  it('refuses it, non-retryable, when ordering is disabled', async () => {
    const acts = createMdActivities({ db, root: os.tmpdir() });
    await expect(
      acts.prepareMdRun(input('run-refused', { order_disordered: { enabled: false } })),
    ).rejects.toMatchObject({
      message:
        'candidate 97b: structure has partial occupancies; MD needs an ordered structure (order_disordered is disabled)',
      nonRetryable: true,
    });
    expect(await getMdRun(db, 'run-refused')).toBeNull();
  });
});
