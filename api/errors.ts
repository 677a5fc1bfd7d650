import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ValidationError } from '../schemas';
import { UnknownExperimentError } from './labResults';

/** Every error leaves as JSON: `{error, message, issues?: [{path, message}]}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorHandler(err: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: v.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      message: v.message ?? 'invalid',
    }));
    return reply.status(400).send({
      error: 'validation',
      message: `Invalid ${err.validationContext ?? 'request'}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      issues,
    });
  }
  if (err instanceof ValidationError) {
    return reply.status(400).send({ error: 'validation', message: err.message, issues: err.issues });
  }
  if (err instanceof HttpError)
    return reply.status(err.statusCode).send({ error: err.error, message: err.message });
  if (err instanceof UnknownExperimentError)
    return reply.status(404).send({ error: 'not_found', message: err.message });
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply
      .status(status)
      .send({ error: (err as FastifyError).code ?? 'bad_request', message: err.message });
  }
  if (isStoreBusy(err)) {
    // FerretDB's SQLite backend gives up on a write lock after its busy timeout under heavy load:
    // a retry is safe (results are idempotent) and completes whatever the failed request left.
    return reply.status(503).header('retry-after', '1').send({
      error: 'busy',
      message: 'the database is busy; retry in a second (a retry is safe: results are idempotent)',
    });
  }
  reply.log.error(err);
  return reply.status(500).send({ error: 'internal', message: 'internal error' });
}

function isStoreBusy(err: Error): boolean {
  return err.name === 'MongoServerError' && /SQLITE_BUSY|database is locked/.test(err.message);
}
