/**
 * Per-campaign MD job slots (`md_slots`): the campaign's `md.max_concurrent_jobs` limit held
 * across every MD worker process and machine, through the one store they all share.
 *
 * A claim is an INSERT of `{_id: '<group>#<k>#<gen>'}`: slot k, generation gen. Inserts are the
 * only atomic conditional write FerretDB 1.x offers: its updates and deletes read the matching
 * documents, filter them in Go and write back by _id, so two concurrent
 * `updateOne({_id, holder: null}, {$set: {holder}})` can both report a match (measured on
 * FerretDB 1.24/SQLite: 37 of 100 eight-way races had several winners; 0 of 100 inserts did).
 * A unique _id cannot have two writers. Releasing sets `released_at` on that generation's
 * document; since a generation is never reused, a late or repeated release cannot free the next
 * holder of the same slot. Slot k is held while its newest generation is unreleased.
 */
import * as os from 'node:os';
import type { Db } from 'mongodb';

export interface MdSlotDoc {
  _id: string; // `${group}#${k}#${gen}`
  /** mdJobGroupPrefix(campaign_id): one limit per campaign. */
  group: string;
  k: number;
  gen: number;
  /** Job name (mdJobName): the idempotency key of the submit activity. */
  holder: string;
  executor: 'command' | 'slurm';
  work_dir: string;
  /** Worker machine that claimed it: a local (command) job's pid means something only there. */
  host: string;
  claimed_at: Date;
  released_at: Date | null;
  released_why: string | null;
}

export type SlotClaim =
  | { kind: 'held'; slot: number; gen: number; fresh: boolean }
  | { kind: 'full'; active: number; limit: number };

export interface ClaimArgs {
  group: string;
  limit: number;
  holder: string;
  executor: MdSlotDoc['executor'];
  work_dir: string;
  /**
   * A held slot younger than this is never reconciled away: it covers the time between the
   * claim and the job showing up in the executor (sbatch, a retried activity).
   */
  graceMs: number;
  /** Whether the holder's job is queued or running; false frees its slot (past the grace). */
  isActive: (slot: MdSlotDoc) => Promise<boolean>;
}

const slots = (db: Db) => db.collection<MdSlotDoc>('md_slots');

const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

/** Newest generation of every slot of the group. */
function newestPerSlot(docs: MdSlotDoc[]): Map<number, MdSlotDoc> {
  const newest = new Map<number, MdSlotDoc>();
  for (const d of docs) if ((newest.get(d.k)?.gen ?? -1) < d.gen) newest.set(d.k, d);
  return newest;
}

/** Slots of the group held now (newest generation unreleased), by slot number. */
export async function heldMdSlots(db: Db, group: string): Promise<MdSlotDoc[]> {
  const newest = newestPerSlot(await slots(db).find({ group }).toArray());
  return [...newest.values()].filter((d) => !d.released_at).sort((a, b) => a.k - b.k);
}

/**
 * The holder's slot: the one it already holds (a retried submit finds its own claim again), or a
 * free one below `limit`, or `full`. Held slots at or above the limit (claimed under a larger
 * limit of an earlier run) block new claims until their jobs end, so a lowered limit is reached
 * by draining, never overrun. When full, held slots past the grace whose jobs are no longer active
 * (a worker or workflow died without releasing) are freed and the claim is tried once more.
 */
export async function claimMdSlot(db: Db, args: ClaimArgs): Promise<SlotClaim> {
  const { group, limit, holder } = args;
  let held: MdSlotDoc[] = [];
  for (let round = 0; round < 2; round++) {
    const newest = newestPerSlot(await slots(db).find({ group }).toArray());
    held = [...newest.values()].filter((d) => !d.released_at);
    const mine = held.find((d) => d.holder === holder);
    if (mine) return { kind: 'held', slot: mine.k, gen: mine.gen, fresh: false };
    if (held.length < limit && !held.some((d) => d.k >= limit)) {
      for (let k = 0; k < limit; k++) {
        const cur = newest.get(k);
        if (cur && !cur.released_at) continue;
        const claim = await tryClaim(db, args, k, cur ? cur.gen + 1 : 0);
        if (claim) return claim;
      }
    }
    if (round === 0 && (await reconcile(db, held, args)) === 0) break;
  }
  return { kind: 'full', active: held.length, limit };
}

async function tryClaim(db: Db, args: ClaimArgs, k: number, gen: number): Promise<SlotClaim | null> {
  const { group } = args;
  const _id = `${group}#${k}#${gen}`;
  try {
    await slots(db).insertOne({
      _id,
      group,
      k,
      gen,
      holder: args.holder,
      executor: args.executor,
      work_dir: args.work_dir,
      host: os.hostname(),
      claimed_at: new Date(),
      released_at: null,
      released_why: null,
    });
  } catch (e) {
    if (isDuplicateKey(e)) return null; // another worker took this generation first
    throw e;
  }
  // Older generations are deleted below; a claimer that read before that deletion may have just
  // re-created one of them. Such a claim is not the slot's newest generation: give it back.
  if (await slots(db).findOne({ group, k, gen: { $gt: gen } })) {
    await releaseById(db, _id, 'superseded: an older generation re-created after clean-up');
    return null;
  }
  // The previous generation stays, as the record of who held the slot last and why it was freed.
  await slots(db).deleteMany({ group, k, gen: { $lt: gen - 1 } });
  return { kind: 'held', slot: k, gen, fresh: true };
}

async function reconcile(db: Db, held: MdSlotDoc[], args: ClaimArgs): Promise<number> {
  const cutoff = Date.now() - args.graceMs;
  let freed = 0;
  for (const s of held) {
    if (new Date(s.claimed_at).getTime() > cutoff) continue;
    let active: boolean;
    try {
      active = await args.isActive(s);
    } catch {
      active = true; // the executor could not say (squeue down): keep the slot
    }
    if (!active) {
      await releaseById(db, s._id, `reconciled: job ${s.holder} is not queued or running`);
      freed++;
    }
  }
  return freed;
}

async function releaseById(db: Db, id: string, why: string): Promise<void> {
  await slots(db).updateOne(
    { _id: id, released_at: null },
    { $set: { released_at: new Date(), released_why: why } },
  );
}

/** Frees the holder's slot (idempotent: nothing happens when it holds none). */
export async function releaseMdSlot(db: Db, holder: string, why: string): Promise<number> {
  const mine = await slots(db).find({ holder, released_at: null }).toArray();
  for (const s of mine) await releaseById(db, s._id, why);
  return mine.length;
}

export async function ensureMdSlotIndexes(db: Db): Promise<void> {
  await slots(db).createIndex({ group: 1 });
  await slots(db).createIndex({ holder: 1 });
}
