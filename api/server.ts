import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CampaignSpec, CampaignStatus, LabResult, LabResultAck } from '../schemas';
import { campaignMeasurements, getExperiment, pendingExperiments } from '../store/experiments';
import { allow, assertLabScope, authenticate } from './auth';
import {
  CampaignDeps,
  campaignStatus,
  campaignSummaries,
  decideBatch,
  signalCampaign,
  startCampaign,
} from './campaigns';
import { campaignAudit, campaignNotifications } from '../store/approvals';
import { dashboardPlugin } from './dashboard/plugin';
import { HttpError, errorHandler } from './errors';
import { submitLabResult } from './labResults';

export interface ApiOptions {
  /** Largest accepted request body (default 1 MiB). */
  bodyLimit?: number;
  /** Requests per token (or per address without one) per minute (default 600). */
  rateLimitPerMinute?: number;
  logger?: boolean;
}

const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
const CampaignIdParams = z.object({ id: z.string().min(1).max(200) });
const bearer = [{ bearer: [] as string[] }];

/**
 * The HTTP API for labs, chemists and PIs. Every body, query and path is validated by zod;
 * the OpenAPI document generated from the same schemas is at /openapi.json.
 */
export async function buildApi(deps: CampaignDeps, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1 << 20,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Crucible API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(rateLimit, {
    max: opts.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    // Per token, so one busy lab cannot starve the others; hashed so the key is not the secret.
    keyGenerator: (req) => {
      const auth = req.headers.authorization;
      return typeof auth === 'string' ? `t:${auth.slice(-16)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `more than ${ctx.max} requests per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { response: { 200: z.object({ ok: z.literal(true) }) } } }, async () => ({
    ok: true as const,
  }));

  await app.register(async (scope) => {
    const api = scope.withTypeProvider<ZodTypeProvider>();
    api.addHook('onRequest', authenticate(deps.db));

    api.get(
      '/labs/:lab_id/experiments',
      {
        preHandler: allow('lab', 'chemist', 'pi'),
        schema: {
          summary: "A lab's pending experiment requests, oldest first",
          security: bearer,
          params: z.object({ lab_id: z.string().min(1).max(200) }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: {
            200: z.object({ experiments: z.array(z.record(z.string(), z.unknown())) }),
            403: ErrorBody,
          },
        },
      },
      async (req) => {
        assertLabScope(req, req.params.lab_id);
        const docs = await pendingExperiments(deps.db, req.params.lab_id, req.query.limit);
        return {
          experiments: docs.map((d) => ({
            experiment_id: d.experiment_id,
            campaign_id: d.campaign_id,
            candidate_id: d.candidate_id,
            property: d.property,
            requested_at: d.requested_at,
          })),
        };
      },
    );

    api.post(
      '/lab-results',
      {
        preHandler: allow('lab'),
        schema: {
          summary: 'Post the result of one experiment (idempotent by experiment_id)',
          security: bearer,
          body: LabResult,
          response: { 200: LabResultAck, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const experiment = await getExperiment(deps.db, req.body.experiment_id);
        if (experiment) assertLabScope(req, experiment.lab_id);
        return submitLabResult(deps, req.body);
      },
    );

    api.get(
      '/campaigns',
      {
        preHandler: allow('chemist', 'pi'),
        schema: { summary: 'All campaigns with their last known status', security: bearer },
      },
      async () => ({ campaigns: await campaignSummaries(deps) }),
    );

    api.post(
      '/campaigns',
      {
        preHandler: allow('chemist'),
        schema: {
          summary: 'Start a campaign from a spec',
          security: bearer,
          body: z.object({ spec: z.unknown(), campaign_id: z.string().optional() }).strict(),
          response: { 201: z.object({ campaign_id: z.string() }), 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (req, reply) => {
        if (req.body.spec === undefined) throw new HttpError(400, 'validation', 'body.spec is required');
        const { campaign_id } = await startCampaign(deps, req.body.spec, req.body.campaign_id);
        return reply.status(201).send({ campaign_id });
      },
    );

    api.get(
      '/campaigns/:id',
      {
        preHandler: allow('chemist', 'pi'),
        schema: {
          security: bearer,
          params: CampaignIdParams,
          response: { 200: CampaignStatus, 404: ErrorBody },
        },
      },
      async (req) => campaignStatus(deps, req.params.id),
    );

    api.get(
      '/campaigns/:id/measurements',
      { preHandler: allow('chemist', 'pi'), schema: { security: bearer, params: CampaignIdParams } },
      async (req) => ({ measurements: await campaignMeasurements(deps.db, req.params.id) }),
    );

    api.post(
      '/campaigns/:id/decision',
      {
        preHandler: allow('pi'),
        schema: {
          summary: 'Approve, trim or reject the batch awaiting approval',
          security: bearer,
          params: CampaignIdParams,
          body: z
            .object({
              iteration: z.number().int().min(0),
              decision: z.enum(['approve', 'reject', 'trim']),
              candidate_ids: z.array(z.string().min(1)).min(1).optional(),
              reason: z.string().max(2000).optional(),
            })
            .strict(),
          response: { 200: z.object({ accepted: z.literal(true), iteration: z.number() }), 409: ErrorBody },
        },
      },
      async (req) => {
        const who = req.principal as { role: string; name: string };
        return decideBatch(deps, req.params.id, req.body, `${who.role}:${who.name}`);
      },
    );

    api.get(
      '/campaigns/:id/audit',
      { preHandler: allow('chemist', 'pi'), schema: { security: bearer, params: CampaignIdParams } },
      async (req) => ({
        audit: await campaignAudit(deps.db, req.params.id),
        notifications: await campaignNotifications(deps.db, req.params.id),
      }),
    );

    for (const action of ['pause', 'resume', 'cancel'] as const) {
      api.post(
        `/campaigns/:id/${action}`,
        {
          preHandler: allow('chemist'),
          schema: {
            summary: `${action} a campaign`,
            security: bearer,
            params: CampaignIdParams,
            response: { 202: z.object({ campaign_id: z.string(), action: z.string() }), 404: ErrorBody },
          },
        },
        async (req, reply) => {
          await signalCampaign(deps, req.params.id, action);
          return reply.status(202).send({ campaign_id: req.params.id, action });
        },
      );
    }
  });

  // The PI dashboard: GET /dashboard (public page) and /dashboard/api/* (chemist/pi/admin token).
  await app.register(dashboardPlugin(deps));
  return app;
}

// The spec schema is part of the OpenAPI document through the JSON Schema export.
export { CampaignSpec };
