import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { LocalCrucible } from '../../cli/runtime';
import { issueToken } from '../../store/tokens';
import { startTestCrucible, stopTestCrucible } from '../helpers/integration';

// The role contract of every route the OpenAPI document lists: who may call it, who is refused
// with 403, and that no route answers without a token. A route added without an entry here
// fails the first test, so the matrix cannot silently fall behind the API.
type Who = 'admin' | 'chemist' | 'pi' | 'lab';
const ROUTES: Record<string, Who[]> = {
  'GET /labs/{lab_id}/experiments': ['admin', 'chemist', 'pi', 'lab'],
  'POST /lab-results': ['admin', 'lab'],
  'GET /experiments/{experiment_id}': ['admin', 'chemist', 'pi', 'lab'],
  'PUT /labs/{lab_id}': ['admin'],
  'GET /campaigns': ['admin', 'chemist', 'pi'],
  'POST /campaigns': ['admin', 'chemist'],
  'GET /campaigns/{id}': ['admin', 'chemist', 'pi'],
  'GET /campaigns/{id}/measurements': ['admin', 'chemist', 'pi'],
  'POST /campaigns/{id}/decision': ['admin', 'pi'],
  'GET /campaigns/{id}/audit': ['admin', 'chemist', 'pi'],
  'POST /campaigns/{id}/pause': ['admin', 'chemist'],
  'POST /campaigns/{id}/resume': ['admin', 'chemist'],
  'POST /campaigns/{id}/cancel': ['admin', 'chemist'],
  'GET /campaigns/{id}/candidates/{candidate_id}/structure': ['admin', 'chemist', 'pi'],
  'GET /dashboard/api/campaigns': ['admin', 'chemist', 'pi'],
  'GET /dashboard/api/campaigns/{id}': ['admin', 'chemist', 'pi'],
};
const PUBLIC = new Set(['GET /health']);

let crucible: LocalCrucible;
let app: FastifyInstance;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_contract');
  app = await buildApi({ client: crucible.client, db: crucible.db });
  await app.ready();
  for (const role of ['admin', 'chemist', 'pi', 'lab'] as const) {
    tokens[role] = (await issueToken(crucible.db, { role, name: role, lab_id: 'lab-a' })).token;
  }
});
afterAll(async () => {
  await app?.close();
  await stopTestCrucible(crucible);
});

function documentedRoutes(): string[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
}

const urlOf = (path: string) =>
  path
    .replace('{lab_id}', 'lab-a')
    .replace('{experiment_id}', 'no-such-experiment')
    .replace('{candidate_id}', 'no-such-candidate')
    .replace('{id}', 'no-such-campaign');

// Deliberately invalid bodies: the role check must come before validation, so a forbidden
// caller learns nothing about the schema.
const call = (route: string, token?: string) => {
  const [method, path] = route.split(' ');
  return app.inject({
    method: method as 'GET',
    url: urlOf(path),
    payload: method === 'GET' ? undefined : { nonsense: true },
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
};

describe('API role contract', () => {
  it('covers every documented route', () => {
    const documented = documentedRoutes().filter((r) => !PUBLIC.has(r));
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each(Object.keys(ROUTES))(
    '%s: 401 without a token, 403 for the roles it does not allow',
    async (route) => {
      const none = await call(route);
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: 'unauthorized' });
      for (const role of ['admin', 'chemist', 'pi', 'lab'] as const) {
        const res = await call(route, tokens[role]);
        if (ROUTES[route].includes(role)) {
          expect({ role, refused: [401, 403].includes(res.statusCode) }).toEqual({ role, refused: false });
        } else {
          expect({ role, status: res.statusCode, error: res.json().error }).toEqual({
            role,
            status: 403,
            error: 'forbidden',
          });
        }
      }
    },
  );

  it('refuses a forged or malformed Authorization header', async () => {
    for (const authorization of [
      'Bearer cru_forged',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${tokens.admin} extra`,
    ]) {
      const res = await app.inject({ method: 'GET', url: '/campaigns', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
  });
});
