import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from 'mongodb';
import { Role, TokenDoc, findToken } from '../store/tokens';
import { HttpError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenDoc;
  }
}

/** Bearer-token authentication: sets request.principal or answers 401. */
export function authenticate(db: Db) {
  return async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    if (!match) throw new HttpError(401, 'unauthorized', 'missing "Authorization: Bearer <token>" header');
    const principal = await findToken(db, match[1]);
    if (!principal) throw new HttpError(401, 'unauthorized', 'unknown or revoked token');
    req.principal = principal;
  };
}

/** A route guard: only these roles may call it (admin always may). */
export function allow(...roles: Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const role = req.principal?.role;
    if (role !== 'admin' && !roles.includes(role as Role)) {
      throw new HttpError(403, 'forbidden', `role "${role}" may not ${req.method} ${req.routeOptions.url}`);
    }
  };
}

/** A lab token may only act for its own lab. */
export function assertLabScope(req: FastifyRequest, labId: string): void {
  const p = req.principal;
  if (p?.role === 'lab' && p.lab_id !== labId) {
    throw new HttpError(403, 'forbidden', `this token belongs to lab "${p.lab_id}", not "${labId}"`);
  }
}
