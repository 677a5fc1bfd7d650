import { createHash, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';

export type Role = 'admin' | 'chemist' | 'pi' | 'lab';
export const ROLES: readonly Role[] = ['admin', 'chemist', 'pi', 'lab'];

export interface TokenDoc {
  /** sha256 of the token: tokens are never stored in the clear. */
  _id: string;
  role: Role;
  /** For role "lab": the only lab whose experiments this token sees and answers. */
  lab_id: string | null;
  name: string;
  created_at: string;
}

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Creates a token and returns it in the clear, once; only its hash is stored. */
export async function issueToken(
  db: Db,
  opts: { role: Role; name: string; lab_id?: string },
): Promise<{ token: string; doc: TokenDoc }> {
  if (opts.role === 'lab' && !opts.lab_id) throw new Error('a lab token needs a lab_id');
  const token = `cru_${randomBytes(24).toString('base64url')}`;
  const doc: TokenDoc = {
    _id: hashToken(token),
    role: opts.role,
    lab_id: opts.role === 'lab' ? (opts.lab_id as string) : null,
    name: opts.name,
    created_at: new Date().toISOString(),
  };
  await db.collection<TokenDoc>('tokens').insertOne(doc);
  return { token, doc };
}

/** Looks a presented token up by its hash (a string: nothing the caller sends becomes a query operator). */
export async function findToken(db: Db, token: string): Promise<TokenDoc | null> {
  return db.collection<TokenDoc>('tokens').findOne({ _id: hashToken(String(token)) });
}
