// The PI dashboard: one HTML page plus its static files, and JSON endpoints it polls every 2 s.
// The page and its scripts carry no data, so they are public; every JSON endpoint needs a
// chemist, pi or admin bearer token, which the page takes from its URL fragment or a login box
// (a fragment never reaches the server or its logs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allow, authenticate } from '../auth';
import type { CampaignDeps } from '../campaigns';
import { campaignRows, campaignView } from './data';
import { dashboardHtml } from './page';
import { candidateStructure } from './structure';

const STATIC_DIR = path.join(__dirname, 'static');
const STATIC_TYPES: Record<string, string> = {
  'plots.js': 'text/javascript; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'structure.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

// Scripts and styles only from this origin, data only by fetch to it: a campaign or candidate
// name that smuggles markup cannot run script (the page also only ever sets textContent).
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function dashboardPlugin(deps: CampaignDeps): FastifyPluginAsync {
  return async (app) => {
    // Read once at registration: a missing file fails the server start, not a PI's page load.
    const files = new Map(
      Object.keys(STATIC_TYPES).map((f) => [f, fs.readFileSync(path.join(STATIC_DIR, f), 'utf8')]),
    );
    const html = dashboardHtml();

    app.get('/dashboard', { schema: { hide: true } }, async (_req, reply) =>
      reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(html),
    );
    app.get<{ Params: { file: string } }>(
      '/dashboard/static/:file',
      { schema: { hide: true } },
      async (req, reply) => {
        const body = files.get(req.params.file);
        if (body === undefined)
          return reply.status(404).send({ error: 'not_found', message: 'no such file' });
        return reply.headers(SECURITY_HEADERS).type(STATIC_TYPES[req.params.file]).send(body);
      },
    );

    await app.register(async (scope) => {
      const api = scope.withTypeProvider<ZodTypeProvider>();
      api.addHook('onRequest', authenticate(deps.db));
      api.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      });
      api.get(
        '/dashboard/api/campaigns',
        {
          preHandler: allow('chemist', 'pi'),
          schema: {
            summary: 'Dashboard: every campaign with its last known state',
            security: [{ bearer: [] }],
          },
        },
        async () => ({ server_time: new Date().toISOString(), campaigns: await campaignRows(deps) }),
      );
      api.get(
        '/dashboard/api/campaigns/:id',
        {
          preHandler: allow('chemist', 'pi'),
          schema: {
            summary:
              'Dashboard: progress, parity, calibration, pending experiments and approval of a campaign',
            security: [{ bearer: [] }],
            params: z.object({ id: z.string().min(1).max(200) }),
          },
        },
        async (req) => campaignView(deps, req.params.id),
      );
      api.get(
        '/campaigns/:id/candidates/:candidate_id/structure',
        {
          preHandler: allow('chemist', 'pi'),
          schema: {
            summary:
              "A candidate's crystal structure (pymatgen Structure.as_dict()), or structure null with the reason",
            security: [{ bearer: [] }],
            params: z.object({
              id: z.string().min(1).max(200),
              candidate_id: z.string().min(1).max(200),
            }),
          },
        },
        async (req) => candidateStructure(deps, req.params.id, req.params.candidate_id),
      );
    });
  };
}
