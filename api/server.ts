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
import {
  CampaignSpec,
  CampaignStatus,
  LabResult,
  LabResultAck,
  Measurement,
  PartialResult,
} from '../schemas';
import {
  campaignMeasurements,
  getExperiment,
  getMeasurement,
  partialResults,
  pendingExperiments,
} from '../store/experiments';
import { registerLab } from '../store/labs';
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
        onRequest: allow('lab', 'chemist', 'pi'),
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
            properties: d.properties ?? [d.property],
            requested_at: d.requested_at,
          })),
        };
      },
    );

    api.post(
      '/lab-results',
      {
        onRequest: allow('lab'),
        // The Idempotency-Key header is the body's idempotency_key; both given must agree.
        preValidation: async (req) => {
          const key = req.headers['idempotency-key'];
          const body = req.body as Record<string, unknown> | null;
          if (typeof key !== 'string' || typeof body !== 'object' || body === null || Array.isArray(body))
            return;
          if (body.idempotency_key !== undefined && body.idempotency_key !== key) {
            throw new HttpError(
              400,
              'validation',
              'idempotency_key: differs from the Idempotency-Key header',
            );
          }
          body.idempotency_key = key;
        },
        schema: {
          summary:
            'Post the result of one experiment: final (idempotent by experiment_id) or partial (idempotent by idempotency key)',
          security: bearer,
          body: LabResult,
          response: { 200: LabResultAck, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const experiment = await getExperiment(deps.db, req.body.experiment_id);
        if (experiment) assertLabScope(req, experiment.lab_id);
        return submitLabResult(deps, req.body, { experiment });
      },
    );

    api.get(
      '/experiments/:experiment_id',
      {
        onRequest: allow('lab', 'chemist', 'pi'),
        schema: {
          summary: 'One experiment: its request, state, partial readings and final measurement',
          security: bearer,
          params: z.object({ experiment_id: z.string().min(1).max(300) }),
          response: {
            200: z.object({
              experiment: z.record(z.string(), z.unknown()),
              partial_results: z.array(PartialResult),
              measurement: Measurement.nullable(),
            }),
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (req) => {
        const experiment = await getExperiment(deps.db, req.params.experiment_id);
        if (!experiment) throw new HttpError(404, 'not_found', `no experiment "${req.params.experiment_id}"`);
        assertLabScope(req, experiment.lab_id);
        const { _id, ...rest } = experiment;
        return {
          experiment: rest,
          partial_results: await partialResults(deps.db, experiment.experiment_id),
          measurement: await getMeasurement(deps.db, experiment.experiment_id),
        };
      },
    );

    api.put(
      '/labs/:lab_id',
      {
        onRequest: allow('admin'),
        schema: {
          summary: "Register a lab's webhook: its experiment requests are then pushed, HMAC-signed",
          security: bearer,
          params: z.object({ lab_id: z.string().min(1).max(200) }),
          body: z
            .object({
              webhook_url: z.url({ protocol: /^https?$/ }).nullable(),
              webhook_secret: z.string().min(32).max(500).nullable(),
            })
            .strict()
            .refine((b) => (b.webhook_url === null) === (b.webhook_secret === null), {
              message: 'webhook_url and webhook_secret go together',
              path: ['webhook_secret'],
            }),
          response: {
            200: z.object({ lab_id: z.string(), webhook_url: z.string().nullable(), updated_at: z.string() }),
            400: ErrorBody,
            403: ErrorBody,
          },
        },
      },
      async (req) =>
        registerLab(
          deps.db,
          req.params.lab_id,
          req.body.webhook_url && req.body.webhook_secret
            ? { url: req.body.webhook_url, secret: req.body.webhook_secret }
            : null,
        ),
    );

    api.get(
      '/campaigns',
      {
        onRequest: allow('chemist', 'pi'),
        schema: { summary: 'All campaigns with their last known status', security: bearer },
      },
      async () => ({ campaigns: await campaignSummaries(deps) }),
    );

    api.post(
      '/campaigns',
      {
        onRequest: allow('chemist'),
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
        onRequest: allow('chemist', 'pi'),
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
      { onRequest: allow('chemist', 'pi'), schema: { security: bearer, params: CampaignIdParams } },
      async (req) => ({ measurements: await campaignMeasurements(deps.db, req.params.id) }),
    );

    api.post(
      '/campaigns/:id/decision',
      {
        onRequest: allow('pi'),
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
      { onRequest: allow('chemist', 'pi'), schema: { security: bearer, params: CampaignIdParams } },
      async (req) => ({
        audit: await campaignAudit(deps.db, req.params.id),
        notifications: await campaignNotifications(deps.db, req.params.id),
      }),
    );

    for (const action of ['pause', 'resume', 'cancel'] as const) {
      api.post(
        `/campaigns/:id/${action}`,
        {
          onRequest: allow('chemist'),
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
