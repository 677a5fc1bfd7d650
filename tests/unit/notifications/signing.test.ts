import { Mailer, NotificationConfigError, channelsOf, deliver } from '../../../notifications/deliver';
import { sign, verifySignature } from '../../../notifications/signing';
import { runPython } from '../../helpers/python';

describe('webhook signatures', () => {
  it("equal Python's hmac.new(secret, f'{ts}.{body}', sha256) — what a lab's receiver computes", () => {
    const cases = [
      { secret: 'lab-secret', ts: 1_790_000_000, body: '{"type":"experiment.requested"}' },
      { secret: 'ünïcode-sécret', ts: 1, body: '{"value":"σ = 1 mS/cm"}' },
    ];
    const reference = runPython<string[]>(
      `import hmac, hashlib, json, sys
cases = json.load(sys.stdin)
print(json.dumps(["sha256=" + hmac.new(c["secret"].encode(), f'{c["ts"]}.{c["body"]}'.encode(), hashlib.sha256).hexdigest() for c in cases]))`,
      cases,
    );
    expect(cases.map((c) => sign(c.secret, c.ts, c.body))).toEqual(reference);
  });

  it('verifies a fresh signature and refuses a tampered body, a wrong secret or a stale timestamp', () => {
    const body = '{"a":1}';
    const ts = 1_790_000_000;
    const signature = sign('s', ts, body);
    const at = { nowS: ts + 10 };
    expect(verifySignature('s', { signature, timestamp: String(ts) }, body, at)).toBe(true);
    expect(verifySignature('s', { signature, timestamp: String(ts) }, '{"a":2}', at)).toBe(false);
    expect(verifySignature('t', { signature, timestamp: String(ts) }, body, at)).toBe(false);
    expect(verifySignature('s', { signature, timestamp: String(ts) }, body, { nowS: ts + 301 })).toBe(false);
    expect(verifySignature('s', { signature, timestamp: 'yesterday' }, body, at)).toBe(false);
  });
});

describe('notification channels', () => {
  const n = {
    _id: 'c/stalled/0/1',
    campaign_id: 'c',
    kind: 'stalled' as const,
    message: 'no result',
    created_at: '2026-11-27T10:00:00Z',
  };

  it('are the ones the spec names', () => {
    expect(channelsOf(undefined)).toEqual([]);
    expect(channelsOf({ webhook_url: 'https://x.example/h' })).toEqual(['webhook']);
    expect(channelsOf({ webhook_url: 'https://x.example/h', email_to: ['a@b.example'] })).toEqual([
      'webhook',
      'email',
    ]);
  });

  it('refuse to send without the worker configuration, saying which variable is missing', async () => {
    const mailer = new Mailer({});
    await expect(deliver(n, 'webhook', { webhook_url: 'https://x.example/h' }, {}, mailer)).rejects.toThrow(
      new NotificationConfigError(
        'webhook requested but CRUCIBLE_NOTIFY_WEBHOOK_SECRET is not set on the worker',
      ),
    );
    await expect(deliver(n, 'email', { email_to: ['a@b.example'] }, {}, mailer)).rejects.toThrow(
      /CRUCIBLE_SMTP_URL/,
    );
  });
});
