// `crucible import` against the real MongoDB-wire server: OBELiX with its CIFs, a CSV table with
// CIFs attached, a CIF folder on its own; idempotent re-imports; bad input refused with the file,
// line and field named and nothing written; the CLI's --json output and its progress bar on a TTY.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Db, MongoClient } from 'mongodb';
import { ImportError, ImportReport, importPool } from '../../cli/importPool';
import { loadCandidatePool } from '../../data/loadPool';
import { readPymatgenJson } from '../../materials/pymatgenJson';
import { connectMongo } from '../../store/db';
import { getPool, loadPoolMatrix } from '../../store/pools';
import { countStructures, getStructure } from '../../store/structures';
import { mongoUriWithDb, requireServers, uniqueName } from '../helpers/integration';
import { SHARED_DATASETS } from '../helpers/python';

const run = promisify(execFile);
const { mongoUri } = requireServers();
const dbName = uniqueName('crucible_test_import');
const ROOT = path.join(__dirname, '..', '..');
const CGCNN = path.join(SHARED_DATASETS, 'cgcnn-sample');
const cgcnnIds = fs
  .readdirSync(CGCNN)
  .filter((f) => f.endsWith('.cif'))
  .map((f) => f.replace(/\.cif$/, ''))
  .sort();
let client: MongoClient;
let db: Db;
/** OBELiX's 321 structures make every count slow on FerretDB: they get a database of their own. */
let obelixDb: Db;

beforeAll(async () => {
  ({ client, db } = await connectMongo(mongoUri, dbName));
  obelixDb = client.db(`${dbName}_obelix`);
});
afterAll(async () => {
  await db.dropDatabase();
  await obelixDb.dropDatabase();
  await client.close();
});

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-import-'));

/** A CSV pool over the cgcnn-sample CIF ids (so the CIFs can be attached to it). */
function writeCsv(rows: string[] = cgcnnIds.map((id, i) => `${id},${i / 10},${(i * 7) % 10},${i}`)): string {
  const file = path.join(tmpDir(), 'pool.csv');
  fs.writeFileSync(file, ['id,x1,x2,y', ...rows].join('\n') + '\n');
  return file;
}

/** Every document of every collection: what a refused import must leave untouched. */
async function snapshot(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of ['pools', 'candidates', 'lab_truth', 'structures'])
    out[c] = await db.collection(c).countDocuments();
  return out;
}

async function refused(attempt: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = await snapshot();
  const promise = attempt();
  await expect(promise).rejects.toThrow(ImportError);
  await expect(promise).rejects.toThrow(message);
  expect(await snapshot()).toEqual(before);
}

async function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'cli/crucible.ts', 'import', ...args], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: mongoUriWithDb(mongoUri, dbName) },
  });
}

describe('importPool', () => {
  it('imports OBELiX with its 321 CIFs under the pool id a campaign uses, and a re-import writes nothing', async () => {
    const phases = new Set<string>();
    const first = await importPool(obelixDb, { kind: 'obelix' }, { onProgress: (p) => phases.add(p) });
    const campaignPool = await loadCandidatePool({ kind: 'obelix' });
    expect(first).toMatchObject({
      pool_id: campaignPool.poolId,
      source: 'obelix',
      size: 599,
      labelled: true,
      inserted: 599,
      already_present: 0,
      structures: 321,
      structures_inserted: 321,
      structures_already_present: 0,
      unreadable: [],
    });
    expect([...phases]).toEqual(['reading CIFs', 'writing candidates', 'writing structures']);
    const pool = await getPool(obelixDb, first.pool_id);
    expect(pool?.complete).toBe(true);
    expect((await loadPoolMatrix(obelixDb, first.pool_id)).candidateIds).toHaveLength(599);
    const stored = await getStructure(obelixDb, first.pool_id, '019');
    expect(readPymatgenJson(stored?.structure_json ?? '').numSites).toBe(stored?.num_sites);

    const again = await importPool(obelixDb, { kind: 'obelix' });
    expect(again).toMatchObject({
      pool_id: first.pool_id,
      inserted: 0,
      already_present: 599,
      structures: 321,
      structures_inserted: 0,
      structures_already_present: 321,
    });
    expect((await getPool(obelixDb, first.pool_id))?.imported_at).toBe(pool?.imported_at);
  });

  it('attaches CIFs to a CSV table by candidate id, and a CIF folder alone makes an unlabelled pool', async () => {
    const file = writeCsv();
    const source = { kind: 'csv' as const, path: file, id_column: 'id', target_column: 'y' };
    const r = await importPool(db, source, { cifs: CGCNN });
    expect(r.pool_id).toBe((await loadCandidatePool(source)).poolId);
    expect(r).toMatchObject({
      size: 10,
      inserted: 10,
      structures: 10,
      structures_inserted: 10,
      labelled: true,
    });

    const cifs = await importPool(db, { kind: 'cifs', path: CGCNN });
    expect(cifs).toMatchObject({ source: 'cifs', size: 10, labelled: false, inserted: 10, structures: 10 });
    expect(cifs.pool_id).toMatch(/^cifs-[0-9a-f]{16}$/);
    const matrix = await loadPoolMatrix(db, cifs.pool_id);
    expect(matrix.candidateIds).toEqual(cgcnnIds);
    expect(matrix.formulas.every((f) => typeof f === 'string' && f.length > 0)).toBe(true);
    expect(matrix.features[0].length).toBeGreaterThan(50); // composition features
  });

  it('fills the gaps of an interrupted import without touching what is there', async () => {
    const file = writeCsv(cgcnnIds.slice(0, 6).map((id, i) => `${id},${i},${i * 2},${i * 3}`));
    const source = { kind: 'csv' as const, path: file, id_column: 'id' };
    const dir = tmpDir();
    for (const id of cgcnnIds.slice(0, 3))
      fs.copyFileSync(path.join(CGCNN, `${id}.cif`), path.join(dir, `${id}.cif`));
    const partial = await importPool(db, source, { cifs: dir });
    expect(partial).toMatchObject({ inserted: 6, structures: 3 });
    // Simulate a crash half-way: two candidates and the pool document lost.
    await db
      .collection('candidates')
      .deleteMany({ _id: { $in: cgcnnIds.slice(4).map((c) => `${partial.pool_id}/${c}`) } } as never);
    await db.collection('pools').deleteOne({ _id: partial.pool_id } as never);
    for (const id of cgcnnIds.slice(3, 6))
      fs.copyFileSync(path.join(CGCNN, `${id}.cif`), path.join(dir, `${id}.cif`));
    const rest = await importPool(db, source, { cifs: dir });
    expect(rest).toMatchObject({
      inserted: 2,
      already_present: 4,
      structures: 6,
      structures_inserted: 3,
      structures_already_present: 3,
    });
    expect((await getPool(db, partial.pool_id))?.complete).toBe(true);
  });
});

describe('bad input is refused, naming the file, line or field, and nothing is written', () => {
  it('a CSV cell that is not a number', async () => {
    const file = writeCsv(['a,1,2,3', 'b,1,oops,3']);
    await refused(
      () => importPool(db, { kind: 'csv', path: file, id_column: 'id', feature_columns: ['x1', 'x2'] }),
      /pool\.csv: 1 bad value\(s\): line 3, column "x2": "oops" is not a finite number/,
    );
  });

  it('a missing id column, a duplicate id, a missing file', async () => {
    const file = writeCsv(['a,1,2,3', 'a,4,5,6']);
    await refused(
      () => importPool(db, { kind: 'csv', path: file, id_column: 'name' }),
      /column "name" not found/,
    );
    await refused(
      () => importPool(db, { kind: 'csv', path: file, id_column: 'id' }),
      /line 3: duplicate id "a"/,
    );
    await refused(
      () => importPool(db, { kind: 'csv', path: '/no/such/pool.csv', id_column: 'id' }),
      /no\/such\/pool\.csv does not exist/,
    );
    await refused(
      () => importPool(db, { kind: 'obelix', dir: '/no/such/dir' }),
      /\/no\/such\/dir\/all\.csv does not exist/,
    );
  });

  it('an unreadable CIF (unless --skip-unreadable), and a CIF that names no candidate of the table', async () => {
    const dir = tmpDir();
    fs.copyFileSync(path.join(CGCNN, '1000041.cif'), path.join(dir, '1000041.cif'));
    fs.writeFileSync(path.join(dir, 'broken.cif'), 'data_x\n_cell_length_a 5\n');
    await refused(
      () => importPool(db, { kind: 'cifs', path: dir }),
      /1 of 2 CIFs cannot be read.*broken\.cif/,
    );
    const skipped = await importPool(db, { kind: 'cifs', path: dir }, { skipUnreadable: true });
    expect(skipped).toMatchObject({ size: 1, structures: 1 });
    expect(skipped.unreadable.map((u) => u.file)).toEqual(['broken.cif']);

    const table = writeCsv(['1000041,1,2,3']);
    fs.rmSync(path.join(dir, 'broken.cif'));
    fs.copyFileSync(path.join(CGCNN, '1000050.cif'), path.join(dir, '1000050.cif'));
    await refused(
      () => importPool(db, { kind: 'csv', path: table, id_column: 'id' }, { cifs: dir }),
      /1 CIF\(s\) name no candidate of .*pool\.csv.*: 1000050\.cif/,
    );
  });

  it('a CIF that differs from the structure already stored for that candidate', async () => {
    const table = writeCsv(['1000041,1,2,3', '1000050,4,5,6']);
    const source = { kind: 'csv' as const, path: table, id_column: 'id' };
    const first = tmpDir();
    fs.copyFileSync(path.join(CGCNN, '1000041.cif'), path.join(first, '1000041.cif'));
    const r = await importPool(db, source, { cifs: first });
    expect(await countStructures(db, r.pool_id)).toBe(1);
    const second = tmpDir();
    fs.copyFileSync(path.join(CGCNN, '1000050.cif'), path.join(second, '1000041.cif'));
    fs.copyFileSync(path.join(CGCNN, '1000050.cif'), path.join(second, '1000050.cif'));
    await refused(
      () => importPool(db, source, { cifs: second }),
      /already holds a different structure for "1000041" \(1000041\.cif\)/,
    );
  });
});

describe('crucible import (the command)', () => {
  it('prints one JSON report with --json and no progress bar when stderr is not a terminal', async () => {
    const file = writeCsv(cgcnnIds.map((id, i) => `${id},${i},${i % 3},${i / 2}`));
    const first = await cli([file, '--target', 'y', '--cifs', CGCNN, '--json']);
    const report = JSON.parse(first.stdout.trim().split('\n').pop() ?? '') as ImportReport;
    expect(report).toMatchObject({
      size: 10,
      inserted: 10,
      already_present: 0,
      structures: 10,
      labelled: true,
    });
    expect(first.stderr).not.toContain('█');
    // Re-run, as text: nothing new.
    const text = await cli([file, '--target', 'y', '--cifs', CGCNN]);
    expect(text.stdout).toContain(`pool ${report.pool_id}: 10 candidates`);
    expect(text.stdout).toContain('candidates: 0 inserted, 10 already present');
    expect(text.stdout).toContain('structures: 10 stored (0 inserted, 10 already present)');
  });

  it('draws a progress bar on a terminal (run under script(1) for a pseudo-terminal)', async () => {
    const dir = tmpDir();
    for (const id of cgcnnIds) fs.copyFileSync(path.join(CGCNN, `${id}.cif`), path.join(dir, `x${id}.cif`));
    const command = `MONGODB_URI='${mongoUriWithDb(mongoUri, dbName)}' '${process.execPath}' --import tsx cli/crucible.ts import '${dir}'`;
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { cwd: ROOT });
    expect(stdout).toMatch(/\rreading CIFs +\[█+\] 100% {2}10\/10/);
    expect(stdout).toMatch(/\rwriting structures +\[█+\] 100% {2}10\/10/);
    expect(stdout).toContain('10 inserted, 0 already present');
  });

  it('exits 1 with the reason on bad input', async () => {
    const file = writeCsv(['a,1,2,3', 'b,1,oops,3']);
    const failed = await cli([file, '--features', 'x1,x2', '--json']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(
      'line 3, column "x2": "oops" is not a finite number',
    );
    const missing = await cli(['/no/such.csv']).catch((e: { code: number; stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toContain('import: /no/such.csv does not exist');
  });
});
