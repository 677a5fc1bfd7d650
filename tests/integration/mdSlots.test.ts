/**
 * The per-campaign MD job limit across worker processes: job slots claimed in the shared store
 * (store/mdSlots.ts) on the real FerretDB, with real local jobs (command executor). Each "worker"
 * is its own set of MD activities on its own MongoClient, so nothing in-process is shared.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { type MdJobRef, type SubmitMdJobResult, createMdActivities } from '../../activities/md';
import { TERMINAL_PHASES, type JobHandle, type JobStatus } from '../../md/executors';
import { mdJobGroupPrefix, mdJobName, parseMdJobSpec } from '../../md/jobSpec';
import { LI2O_EXTXYZ } from '../../md/referenceCells';
import { connectMongo } from '../../store/db';
import { createMdRun } from '../../store/mdRuns';
import { type MdSlotDoc, claimMdSlot, heldMdSlots, releaseMdSlot } from '../../store/mdSlots';
import { requireServers, uniqueName, waitFor } from '../helpers/integration';

const { mongoUri } = requireServers();
const dbName = uniqueName('crucible_test_md_slots');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-md-slots-'));
const clients: MongoClient[] = [];
let db: Db;

/** A separate connection, as another worker process would have. */
async function connect(): Promise<Db> {
  const c = await connectMongo(mongoUri, dbName);
  clients.push(c.client);
  return c.db;
}

/**
 * The "engine" of these jobs (given as the MD Python): logs its start and end with the job's
 * name (its work directory) to a shared file, sleeps, exits 0.
 */
function trivialEngine(name: string, sleepS: number): string {
  const file = path.join(root, name);
  fs.writeFileSync(
    file,
    [
      '#!/bin/bash',
      `echo "start $(date +%s.%N) $(basename "$PWD")" >> ${path.join(root, 'intervals.log')}`,
      `sleep ${sleepS}`,
      `echo "end $(date +%s.%N) $(basename "$PWD")" >> ${path.join(root, 'intervals.log')}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}

async function worker(python: string, slotGraceMs = 60_000) {
  return createMdActivities({ db: await connect(), python, root, slotGraceMs });
}
type Worker = Awaited<ReturnType<typeof worker>>;

/** A prepared MD run of `campaign` with the command executor (what prepareMdRun stores). */
async function run(campaign: string, candidate: string, temperatures_K: number[]): Promise<string> {
  const spec = parseMdJobSpec({
    campaign_id: campaign,
    iteration: 1,
    candidate_id: candidate,
    structure: { candidate_id: candidate, extxyz: LI2O_EXTXYZ },
    temperatures_K,
    production_steps: 100,
    executor: 'command',
    resources: { cores: 1, gpus: 0, wall_time_minutes: 5 },
  });
  const runId = `${campaign}-${candidate}`;
  await createMdRun(db, {
    _id: runId,
    campaign_id: campaign,
    iteration: 1,
    candidate_id: candidate,
    structure_pool_id: 'none',
    spec_json: JSON.stringify(spec),
  });
  return runId;
}

const nameOf = (campaign: string, candidate: string, temperature_K: number) =>
  mdJobName({ campaign_id: campaign, iteration: 1, candidate_id: candidate, temperature_K, attempt: 0 });

const submitted = (r: SubmitMdJobResult): JobHandle => {
  if (r.kind === 'deferred') throw new Error(`deferred: ${JSON.stringify(r)}`);
  return r.handle;
};

/** Polls like the workflow: awaitMdJob windows (a real activity context) until terminal. */
async function awaitEnd(w: Worker, handle: JobHandle): Promise<string> {
  for (;;) {
    const s: JobStatus = await new MockActivityEnvironment().run(w.awaitMdJob, {
      handle,
      window_s: 1,
      poll_s: 0.1,
    });
    if (TERMINAL_PHASES.has(s.phase)) return s.phase;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await connect();
});
afterAll(async () => {
  await db.dropDatabase();
  await Promise.all(clients.map((c) => c.close()));
});

describe('MD job slots (store level, FerretDB)', () => {
  const args = (group: string, limit: number, holder: string) => ({
    group,
    limit,
    holder,
    executor: 'command' as const,
    work_dir: path.join(root, holder),
    graceMs: 3_600_000,
    isActive: async () => true,
  });

  it('gives exactly `limit` of 8 racing claimers, each on its own connection, a slot', async () => {
    const dbs = await Promise.all(Array.from({ length: 8 }, connect));
    for (let round = 0; round < 10; round++) {
      const group = `race-${round}-`;
      const claims = await Promise.all(dbs.map((d, i) => claimMdSlot(d, args(group, 2, `job-${i}`))));
      const held = claims.filter((c) => c.kind === 'held');
      expect(held).toHaveLength(2);
      expect(new Set(held.map((c) => (c.kind === 'held' ? c.slot : -1)))).toEqual(new Set([0, 1]));
      expect((await heldMdSlots(db, group)).map((s) => s.holder).sort()).toHaveLength(2);
    }
  });

  it('drains slots above a lowered limit before claiming again; releases are idempotent', async () => {
    const g = 'lowered-';
    for (const h of ['a', 'b', 'c']) expect((await claimMdSlot(db, args(g, 3, h))).kind).toBe('held');
    expect(await claimMdSlot(db, args(g, 2, 'd'))).toEqual({ kind: 'full', active: 3, limit: 2 });
    expect(await releaseMdSlot(db, 'a', 'done')).toBe(1);
    expect(await releaseMdSlot(db, 'a', 'done again')).toBe(0);
    // Two jobs still run (b in slot 1, c in slot 2 ≥ the new limit): the limit of 2 is reached.
    expect((await claimMdSlot(db, args(g, 2, 'd'))).kind).toBe('full');
    await releaseMdSlot(db, 'c', 'done');
    expect(await claimMdSlot(db, args(g, 2, 'd'))).toMatchObject({ kind: 'held', slot: 0, gen: 1 });
    expect((await heldMdSlots(db, g)).map((s) => s.holder)).toEqual(['d', 'b']);
    // A slot keeps its previous generation (who held it last, why it was freed), no older one.
    await releaseMdSlot(db, 'd', 'done');
    expect(await claimMdSlot(db, args(g, 2, 'e'))).toMatchObject({ kind: 'held', slot: 0, gen: 2 });
    const k0 = await db.collection<MdSlotDoc>('md_slots').find({ group: g, k: 0 }).sort({ gen: 1 }).toArray();
    expect(k0.map((s) => [s.gen, s.holder, s.released_why])).toEqual([
      [1, 'd', 'done'],
      [2, 'e', null],
    ]);
  });
});

describe('MD job limit across two workers (command executor, real jobs)', () => {
  jest.setTimeout(180_000);

  it('never runs more than 2 jobs of a campaign at once, and runs all 8', async () => {
    const engine = trivialEngine('quick.sh', 1);
    const workers = [await worker(engine), await worker(engine)];
    const pick = () => workers[Math.floor(Math.random() * workers.length)];
    const campaign = uniqueName('race');
    const temps = [600, 700, 800, 900];
    const runs = [await run(campaign, 'c1', temps), await run(campaign, 'c2', temps)];
    let deferrals = 0;
    let maxHeld = 0;
    const job = async (ref: MdJobRef) => {
      let handle: JobHandle;
      for (;;) {
        // Every try may land on either worker, as Temporal dispatches activity tasks.
        const r = await pick().submitMdJob({ ...ref, max_concurrent: 2 });
        maxHeld = Math.max(maxHeld, (await heldMdSlots(db, mdJobGroupPrefix(campaign))).length);
        if (r.kind !== 'deferred') {
          handle = r.handle;
          break;
        }
        deferrals++;
        await sleep(50 + Math.random() * 100);
      }
      return awaitEnd(pick(), handle);
    };
    const phases = await Promise.all(
      runs.flatMap((run_id) => temps.map((temperature_K) => job({ run_id, temperature_K, attempt: 0 }))),
    );
    expect(phases).toEqual(Array(8).fill('completed'));
    expect(deferrals).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(2);
    expect(await heldMdSlots(db, mdJobGroupPrefix(campaign))).toEqual([]);

    // The jobs' own clock: at most 2 of this campaign's processes alive at any instant.
    const events = fs
      .readFileSync(path.join(root, 'intervals.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, , name]) => name.startsWith(mdJobGroupPrefix(campaign)))
      .map(([what, t, name]) => ({ d: what === 'start' ? 1 : -1, t: Number(t), name }))
      .sort((a, b) => a.t - b.t || a.d - b.d);
    expect(new Set(events.map((e) => e.name)).size).toBe(8);
    expect(events).toHaveLength(16);
    let live = 0;
    let maxLive = 0;
    for (const e of events) maxLive = Math.max(maxLive, (live += e.d));
    expect(maxLive).toBe(2);
  });

  it('reclaims the slot of a job that died with its worker, after the grace period only', async () => {
    const engine = trivialEngine('long.sh', 60);
    const [a, b] = [await worker(engine, 1_000), await worker(engine, 1_000)];
    const campaign = uniqueName('dead');
    const run_id = await run(campaign, 'c1', [600, 700]);
    const first = submitted(
      await a.submitMdJob({ run_id, temperature_K: 600, attempt: 0, max_concurrent: 1 }),
    );
    // A live job keeps its slot, grace or not.
    await sleep(1_200);
    expect(await b.submitMdJob({ run_id, temperature_K: 700, attempt: 0, max_concurrent: 1 })).toEqual({
      kind: 'deferred',
      active: 1,
      limit: 1,
    });
    // The job dies and nobody polls it (its worker died too): the slot stays claimed...
    process.kill(-Number(first.id), 'SIGKILL');
    await waitFor('the job to die', async () => !alive(Number(first.id)));
    expect((await heldMdSlots(db, mdJobGroupPrefix(campaign))).map((s) => s.holder)).toEqual([first.name]);
    // ...until another worker, needing the slot, finds its job gone and frees it.
    const second = submitted(
      await b.submitMdJob({ run_id, temperature_K: 700, attempt: 0, max_concurrent: 1 }),
    );
    const reclaimed = await db.collection<MdSlotDoc>('md_slots').findOne({ holder: first.name });
    expect(reclaimed?.released_why).toMatch(/^reconciled: job .* is not queued or running$/);
    expect((await heldMdSlots(db, mdJobGroupPrefix(campaign))).map((s) => s.holder)).toEqual([second.name]);

    // A claim whose worker died before sbatch (no job at all) is also freed, but not within the grace.
    await b.cancelMdJob({ run_id, temperature_K: 700, attempt: 0 });
    const group = mdJobGroupPrefix(campaign);
    const orphan = nameOf(campaign, 'c1', 650);
    await claimMdSlot(db, {
      group,
      limit: 1,
      holder: orphan,
      executor: 'command',
      work_dir: path.join(root, orphan),
      graceMs: 1_000,
      isActive: async () => true,
    });
    expect((await a.submitMdJob({ run_id, temperature_K: 600, attempt: 1, max_concurrent: 1 })).kind).toBe(
      'deferred',
    );
    await sleep(1_200);
    const third = submitted(
      await a.submitMdJob({ run_id, temperature_K: 600, attempt: 1, max_concurrent: 1 }),
    );
    expect((await heldMdSlots(db, group)).map((s) => s.holder)).toEqual([third.name]);
    await a.cancelMdJob({ run_id, temperature_K: 600, attempt: 1 });
    expect(await heldMdSlots(db, group)).toEqual([]);
  });

  it('lets a retried submit find its own slot, on another worker, before and after sbatch', async () => {
    const engine = trivialEngine('medium.sh', 2);
    const [a, b] = [await worker(engine), await worker(engine)];
    const campaign = uniqueName('retry');
    const group = mdJobGroupPrefix(campaign);
    const run_id = await run(campaign, 'c1', [600, 700]);
    const name = nameOf(campaign, 'c1', 600);
    // Attempt 1 of submitMdJob claimed the slot and its worker died before sbatch.
    const claim = await claimMdSlot(db, {
      group,
      limit: 1,
      holder: name,
      executor: 'command',
      work_dir: path.join(root, name),
      graceMs: 60_000,
      isActive: async () => true,
    });
    expect(claim).toMatchObject({ kind: 'held', slot: 0, fresh: true });
    // Attempt 2, on the other worker, at the limit of 1: its own slot, not a deferral.
    const r = await b.submitMdJob({ run_id, temperature_K: 600, attempt: 0, max_concurrent: 1 });
    expect(r.kind).toBe('submitted');
    // Attempt 3 (attempt 2's worker died after sbatch): the same job, the same slot.
    const again = await a.submitMdJob({ run_id, temperature_K: 600, attempt: 0, max_concurrent: 1 });
    expect(again).toEqual({ kind: 'attached', handle: submitted(r) });
    const held = await heldMdSlots(db, group);
    expect(held.map((s) => [s.holder, s.k, s.gen])).toEqual([[name, 0, 0]]);
    // The other temperature waits for it, and gets the slot once the first job has ended.
    expect((await a.submitMdJob({ run_id, temperature_K: 700, attempt: 0, max_concurrent: 1 })).kind).toBe(
      'deferred',
    );
    expect(await awaitEnd(a, submitted(r))).toBe('completed');
    expect(await heldMdSlots(db, group)).toEqual([]);
    const next = submitted(
      await b.submitMdJob({ run_id, temperature_K: 700, attempt: 0, max_concurrent: 1 }),
    );
    expect((await heldMdSlots(db, group)).map((s) => [s.holder, s.k, s.gen])).toEqual([[next.name, 0, 1]]);
    expect(await awaitEnd(b, next)).toBe('completed');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
