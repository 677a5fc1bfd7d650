import { MockActivityEnvironment } from '@temporalio/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { StructureImportReport, createMaterialsActivities } from '../../activities/materials';
import { readPymatgenJson } from '../../materials/pymatgenJson';
import { connectMongo } from '../../store/db';
import { countStructures, getStructure } from '../../store/structures';
import { SHARED_DATASETS } from '../helpers/python';
import { requireServers, uniqueName } from '../helpers/integration';

const { mongoUri } = requireServers();
let client: MongoClient;
let db: Db;
beforeAll(
  async () => ({ client, db } = await connectMongo(mongoUri, uniqueName('crucible_test_structures'))),
);
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

describe('importStructures activity', () => {
  it('imports all 321 OBELiX CIFs with space groups that match the stated ones', async () => {
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d) => heartbeats.push(d));
    const { importStructures } = createMaterialsActivities({ db });
    const report: StructureImportReport = await env.run(importStructures, {
      pool_id: 'obelix-structures',
      source: path.join(SHARED_DATASETS, 'obelix', 'all_cifs.tar.gz'),
    });
    expect(report.failed).toEqual([]);
    expect(report.imported).toBe(321);
    expect(report.space_group_mismatches).toEqual([]);
    expect(heartbeats.length).toBeGreaterThan(10);
    expect(await countStructures(db, 'obelix-structures')).toBe(321);
    const stored = await getStructure(db, 'obelix-structures', '019');
    expect(stored).not.toBeNull();
    const back = readPymatgenJson(JSON.parse(stored?.structure_json ?? 'null'));
    expect(back.numSites).toBe(stored?.num_sites);
  });

  it('reports an unreadable CIF by file name and imports the rest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifs-'));
    fs.copyFileSync(path.join(SHARED_DATASETS, 'cgcnn-sample', '1000041.cif'), path.join(dir, 'good.cif'));
    fs.writeFileSync(path.join(dir, 'broken.cif'), 'data_x\n_cell_length_a 5\n');
    const { importStructures } = createMaterialsActivities({ db });
    const report: StructureImportReport = await new MockActivityEnvironment().run(importStructures, {
      pool_id: 'mixed',
      source: dir,
    });
    expect(report.imported).toBe(1);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0].file).toBe('broken.cif');
    expect(report.failed[0].message.length).toBeGreaterThan(5);
  });
});
