// `crucible lab register|unregister` and the notifications in `crucible campaign status`, run as
// the real CLI process (tsx) against the real servers: the webhook secret is read from the
// environment variable named on the command line and is never printed or taken from argv.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startCampaign } from '../../api/campaigns';
import type { LocalCrucible } from '../../cli/runtime';
import {
  campaignNotifications,
  markNotificationDelivered,
  recordNotification,
  recordNotificationError,
} from '../../store/approvals';
import { getLab } from '../../store/labs';
import {
  mongoUriWithDb,
  requireServers,
  startTestCrucible,
  stopTestCrucible,
  uniqueName,
  writeSyntheticPool,
} from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

const exec = promisify(execFile);
const { mongoUri } = requireServers();
const ROOT = path.join(__dirname, '..', '..');
let crucible: LocalCrucible;

beforeAll(async () => {
  crucible = await startTestCrucible('crucible_test_cli_lab');
});
afterAll(async () => {
  await stopTestCrucible(crucible);
});

type Output = { stdout: string; stderr: string };

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Output> {
  return exec(process.execPath, ['--import', 'tsx', 'cli/crucible.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: mongoUriWithDb(mongoUri, crucible.db.databaseName), ...env },
  });
}

/** Runs a command that must fail: exit status 1, and its stderr. */
async function refused(args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const err = await cli(args, env).then(
    (o) => {
      throw new Error(`crucible ${args.join(' ')} succeeded: ${o.stdout}`);
    },
    (e: Output & { code: number }) => e,
  );
  expect(err.code).toBe(1);
  return err.stderr;
}

const newSecret = () => randomBytes(24).toString('base64url'); // 32 characters

describe('crucible lab register / unregister', () => {
  it('registers a webhook with the secret from the named environment variable, never printing it', async () => {
    const secret = newSecret();
    const lab = uniqueName('robot-cli');
    const json = await cli(
      [
        'lab',
        'register',
        lab,
        '--webhook',
        'https://lab.example.org/crucible',
        '--secret-env',
        'LAB_SECRET',
        '--json',
      ],
      { LAB_SECRET: secret },
    );
    const printed = JSON.parse(json.stdout);
    expect(Object.keys(printed).sort()).toEqual(['lab_id', 'updated_at', 'webhook_url']);
    expect(printed).toMatchObject({ lab_id: lab, webhook_url: 'https://lab.example.org/crucible' });
    expect(json.stdout + json.stderr).not.toContain(secret);
    const stored = await getLab(crucible.db, lab);
    expect(stored).toMatchObject({ webhook_url: 'https://lab.example.org/crucible', webhook_secret: secret });
    expect(stored?.updated_at).toBe(printed.updated_at);

    // Text output; a re-register replaces the webhook and the secret.
    const secret2 = newSecret();
    const text = await cli(
      ['lab', 'register', lab, '--webhook', 'http://10.0.0.5:8000/hook', '--secret-env', 'OTHER_SECRET'],
      { OTHER_SECRET: secret2 },
    );
    expect(text.stdout.trim()).toBe(
      `registered ${lab}: requests are pushed to http://10.0.0.5:8000/hook, signed with the secret from $OTHER_SECRET`,
    );
    expect(text.stdout + text.stderr).not.toContain(secret2);
    expect(await getLab(crucible.db, lab)).toMatchObject({
      webhook_url: 'http://10.0.0.5:8000/hook',
      webhook_secret: secret2,
    });
  });

  it('refuses a missing or short secret, a secret on the command line and a bad URL, writing nothing', async () => {
    const lab = uniqueName('robot-refused');
    const register = (extra: string[]) => ['lab', 'register', lab, ...extra];
    const hook = ['--webhook', 'https://lab.example.org/hook'];
    expect(
      await refused(register([...hook, '--secret-env', 'NO_SUCH_VAR']), { NO_SUCH_VAR: undefined }),
    ).toContain('environment variable NO_SUCH_VAR is not set or empty');
    expect(await refused(register([...hook, '--secret-env', 'EMPTY_VAR']), { EMPTY_VAR: '' })).toContain(
      'environment variable EMPTY_VAR is not set or empty',
    );
    expect(await refused(register([...hook, '--secret-env', 'SHORT']), { SHORT: 'too-short' })).toContain(
      'the secret in SHORT is 9 characters; at least 32 are required',
    );
    const onArgv = newSecret();
    const argvErr = await refused(register([...hook, '--secret', onArgv]));
    expect(argvErr).toContain('a secret is never taken from the command line');
    expect(argvErr).not.toContain(onArgv);
    expect(await refused(register(['--secret-env', 'S']), { S: newSecret() })).toContain(
      '--webhook URL is required',
    );
    expect(
      await refused(register(['--webhook', 'ftp://lab.example.org/x', '--secret-env', 'S']), {
        S: newSecret(),
      }),
    ).toContain('--webhook must be an http(s) URL');
    expect(await refused(register(hook))).toContain('--secret-env VAR is required');
    expect(await refused(['lab', 'register'])).toContain('a lab id is required');
    expect(await getLab(crucible.db, lab)).toBeNull();
  });

  it('unregisters a webhook (the lab then pulls), and says when there is none', async () => {
    const lab = uniqueName('robot-unreg');
    await cli(['lab', 'register', lab, '--webhook', 'https://lab.example.org/h', '--secret-env', 'S'], {
      S: newSecret(),
    });
    const json = JSON.parse((await cli(['lab', 'unregister', lab, '--json'])).stdout);
    expect(json).toMatchObject({ lab_id: lab, webhook_url: null });
    expect(await getLab(crucible.db, lab)).toMatchObject({ webhook_url: null, webhook_secret: null });
    expect(await refused(['lab', 'unregister', lab])).toContain(`lab ${lab} has no webhook registered`);
    expect(await refused(['lab', 'unregister', uniqueName('never-registered')])).toContain(
      'has no webhook registered',
    );
  });
});

describe('crucible campaign status', () => {
  it('prints the newest 5 notifications with their delivery state', async () => {
    const pool = writeSyntheticPool(30, 4);
    const id = uniqueName('cli-status');
    const deps = { client: crucible.client, db: crucible.db };
    await startCampaign(
      deps,
      csvSpec(pool.file, {
        budget: { experiments: 6, iterations: 2 },
        seed_experiments: { count: 3, method: 'random' },
      }),
      id,
    );
    await crucible.client.workflow.getHandle(id).result();
    // The campaign's own notification: it finished (no channel configured in the spec).
    const own = await campaignNotifications(crucible.db, id);
    expect(own.map((n) => n.kind)).toEqual(['campaign_finished']);
    const first = (await cli(['campaign', 'status', id])).stdout.trimEnd().split('\n');
    expect(first.slice(-2)).toEqual([
      '  notifications (newest 1 of 1):',
      `    ${own[0].created_at}  campaign_finished  ${own[0].message}  [recorded (no channel configured)]`,
    ]);

    // Six more after the campaign's own (campaign_finished), one second apart, so the newest five
    // are exactly these minus the first.
    const t0 = Date.now() + 60_000;
    const extra = Array.from({ length: 6 }, (_, i) => ({
      _id: `${id}/stalled/test-${i}`,
      campaign_id: id,
      kind: 'stalled' as const,
      message: `no result for a while (${i})`,
      created_at: new Date(t0 + i * 1000).toISOString(),
    }));
    for (const n of extra) await recordNotification(crucible.db, n);
    await markNotificationDelivered(crucible.db, extra[5]._id, 'webhook');
    await recordNotificationError(crucible.db, extra[5]._id, 'email', 'connect ECONNREFUSED 127.0.0.1:2525');
    await recordNotificationError(crucible.db, extra[4]._id, 'webhook', 'webhook https://x: HTTP 503');
    const total = (await campaignNotifications(crucible.db, id)).length;
    expect(total).toBe(7);

    const text = (await cli(['campaign', 'status', id])).stdout.split('\n');
    const at = text.findIndex((l) => l.startsWith('  notifications'));
    expect(text[at]).toBe(`  notifications (newest 5 of ${total}):`);
    const delivered = (await campaignNotifications(crucible.db, id)).find((n) => n._id === extra[5]._id);
    expect(text.slice(at + 1, at + 6)).toEqual([
      `    ${extra[5].created_at}  stalled  ${extra[5].message}  [email failed: connect ECONNREFUSED 127.0.0.1:2525; webhook delivered ${delivered?.delivered?.webhook}]`,
      `    ${extra[4].created_at}  stalled  ${extra[4].message}  [webhook failed: webhook https://x: HTTP 503]`,
      ...[3, 2, 1].map(
        (i) => `    ${extra[i].created_at}  stalled  ${extra[i].message}  [recorded (no channel configured)]`,
      ),
    ]);
    expect(text.join('\n')).not.toContain(extra[0].message);
    expect(text[0]).toContain(`${id}  completed`);

    // The model's pick-time predictions against the measurements (3 modelled picks after 3 seeds).
    const model = text.findIndex((l) => l.startsWith('  model'));
    expect(text[model]).toBe('  model (pick-time predictions vs measurements):');
    expect(text[model + 1]).toMatch(
      /^ {4}y {12}n 3 {2}MAE \d\.\d+ {2}RMSE \d\.\d+ {2}within ±σ \d+ % {2}±1\.96σ \d+ %/,
    );
    const json = JSON.parse((await cli(['campaign', 'status', id, '--json'])).stdout);
    expect(json.campaign_id).toBe(id);
    expect(json.notifications_total).toBe(total);
    expect(json.model_quality).toEqual([expect.objectContaining({ property: 'y', role: 'objective', n: 3 })]);
    expect(json.notifications.map((n: { id: string }) => n.id)).toEqual(
      [5, 4, 3, 2, 1].map((i) => extra[i]._id),
    );
    expect(json.notifications[0]).toMatchObject({
      kind: 'stalled',
      delivered: { webhook: delivered?.delivered?.webhook },
      delivery_errors: { email: 'connect ECONNREFUSED 127.0.0.1:2525' },
    });
  });
});
