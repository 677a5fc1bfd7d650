import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { decideBatch } from '../../api/campaigns';
import type { LocalCrucible } from '../../cli/runtime';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../notifications/signing';
import { campaignNotifications } from '../../store/approvals';
import { campaignWorkflow } from '../../workflows/campaign';
import { TASK_QUEUES, cancelSignal, statusQuery } from '../../workflows/definitions';
import {
  startTestCrucible,
  stopTestCrucible,
  uniqueName,
  waitFor,
  writeSyntheticPool,
} from '../helpers/integration';
import { csvSpec } from '../helpers/specs';

// Notifications leave the system for real: e-mail to a local SMTP sink (smtp-server, the server
// half of nodemailer's project) and signed webhooks to a local HTTP receiver.
const SECRET = 'notification-secret-for-the-test-0123456789';
const mails: { to: string[]; subject: string; body: string }[] = [];
const hooks: { type: string; verified: boolean; id: string }[] = [];
let smtp: SMTPServer;
let receiver: http.Server;
let webhookUrl: string;
let crucible: LocalCrucible;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? '',
          body: raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const verified = verifySignature(
        SECRET,
        {
          signature: String(req.headers[SIGNATURE_HEADER]),
          timestamp: String(req.headers[TIMESTAMP_HEADER]),
        },
        body,
      );
      const parsed = JSON.parse(body) as { type: string; notification: { _id: string } };
      hooks.push({ type: parsed.type, verified, id: parsed.notification._id });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  // The orchestration worker reads its channels from the environment, as in production.
  process.env.CRUCIBLE_SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  process.env.CRUCIBLE_SMTP_FROM = 'crucible@lab.example';
  process.env.CRUCIBLE_NOTIFY_WEBHOOK_SECRET = SECRET;
  crucible = await startTestCrucible('crucible_test_notify');
});
afterAll(async () => {
  await stopTestCrucible(crucible);
  delete process.env.CRUCIBLE_SMTP_URL;
  delete process.env.CRUCIBLE_SMTP_FROM;
  delete process.env.CRUCIBLE_NOTIFY_WEBHOOK_SECRET;
  receiver?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(r) : r()));
});

const start = (spec: ReturnType<typeof csvSpec>, prefix: string) =>
  crucible.client.workflow.start(campaignWorkflow, {
    workflowId: uniqueName(prefix),
    taskQueue: TASK_QUEUES.orchestration,
    args: [{ spec }],
  });

const mailsFor = (campaignId: string, what: string) =>
  mails.filter((m) => m.subject.includes(campaignId) && m.subject.includes(what));

describe('notifications', () => {
  it('mails and signs webhooks for approval needed and target reached, once each', async () => {
    const pool = writeSyntheticPool(30, 5);
    const spec = csvSpec(pool.file, {
      objective: { property: 'y', direction: 'maximize', target: -100 }, // any measurement reaches it
      approval: { required: true, remind_after_minutes: 60 },
      notifications: { webhook_url: webhookUrl, email_to: ['pi@lab.example', 'chemist@lab.example'] },
    });
    const handle = await start(spec, 'notify-target');
    const id = handle.workflowId;
    await waitFor('the approval mail', async () => mailsFor(id, 'approval needed').length === 1);
    const [mail] = mailsFor(id, 'approval needed');
    expect(mail.to.sort()).toEqual(['chemist@lab.example', 'pi@lab.example']);
    expect(mail.body).toContain('awaits approval');
    expect(hooks.find((h) => h.id === `${id}/approval_needed/0/0`)).toMatchObject({
      type: 'campaign.approval_needed',
      verified: true,
    });

    await decideBatch(
      { client: crucible.client, db: crucible.db },
      id,
      { iteration: 0, decision: 'approve' },
      'pi:ada',
    );
    const { status } = await handle.result();
    expect(status.stop_reason).toBe('target_reached');
    await waitFor('the target mail', async () => mailsFor(id, 'target reached').length === 1);
    expect(hooks.filter((h) => h.id === `${id}/target_reached/final`)).toHaveLength(1);
    const stored = await campaignNotifications(crucible.db, id);
    const target = stored.find((n) => n.kind === 'target_reached');
    expect(target?.delivered?.email).toBeDefined();
    expect(target?.delivered?.webhook).toBeDefined();
  });

  it('notifies when no lab result arrives for the configured time', async () => {
    const pool = writeSyntheticPool(30, 6);
    const spec = csvSpec(pool.file, {
      lab: { kind: 'remote', lab_id: 'silent-lab' }, // never answers
      notifications: { email_to: ['pi@lab.example'], stalled_after_minutes: 0.02 }, // 1.2 s
    });
    const handle = await start(spec, 'notify-stall');
    await waitFor('a stalled notification', async () =>
      (await campaignNotifications(crucible.db, handle.workflowId)).some((n) => n.kind === 'stalled'),
    );
    await waitFor('the stall mail', async () => mailsFor(handle.workflowId, 'stalled').length >= 1);
    const stall = (await campaignNotifications(crucible.db, handle.workflowId)).find(
      (n) => n.kind === 'stalled',
    );
    expect(stall?.message).toContain('3 experiments of batch 0 pending');
    expect(stall?.delivered?.email).toBeDefined();
    expect((await handle.query(statusQuery)).pending_experiments).toHaveLength(3);
    await handle.signal(cancelSignal);
    await handle.result();
  });

  it('notifies when a campaign fails, and keeps the error of a channel that is down', async () => {
    const spec = csvSpec('/nonexistent/pool.csv', {
      notifications: { webhook_url: 'http://127.0.0.1:9/unreachable', email_to: ['pi@lab.example'] },
    });
    const handle = await start(spec, 'notify-fail');
    await waitFor(
      'the failure mail',
      async () => mailsFor(handle.workflowId, 'campaign failed').length === 1,
    );
    expect(mailsFor(handle.workflowId, 'campaign failed')[0].body).toContain('source.path');
    const [failed] = await campaignNotifications(crucible.db, handle.workflowId);
    expect(failed.kind).toBe('campaign_failed');
    expect(failed.delivered?.email).toBeDefined();
    await waitFor('the webhook error', async () => {
      const [n] = await campaignNotifications(crucible.db, handle.workflowId);
      return n?.delivery_errors?.webhook;
    });
    // The unreachable webhook is retried with backoff for ~30 minutes; the test does not wait.
    await handle.terminate('test done');
  });
});
