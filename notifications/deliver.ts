import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationSpec } from '../schemas';
import { postSignedJson } from './signing';

/** A notification as stored and sent: deterministic id (campaign, kind, key), so a retry never sends twice. */
export interface Notification {
  _id: string;
  campaign_id: string;
  kind:
    | 'approval_needed'
    | 'approval_reminder'
    | 'target_reached'
    | 'campaign_finished'
    | 'stalled'
    | 'campaign_failed';
  message: string;
  created_at: string;
}

export type Channel = 'webhook' | 'email';

/**
 * Where notifications can go, configured on the orchestration worker (secrets never sit in a
 * spec, which lives in workflow history): CRUCIBLE_NOTIFY_WEBHOOK_SECRET signs webhooks,
 * CRUCIBLE_SMTP_URL (e.g. smtp://user:pass@mail.example.org:587) and CRUCIBLE_SMTP_FROM send mail.
 */
export interface NotificationConfig {
  webhookSecret?: string;
  smtpUrl?: string;
  smtpFrom?: string;
}

export function notificationConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotificationConfig {
  return {
    webhookSecret: env.CRUCIBLE_NOTIFY_WEBHOOK_SECRET || undefined,
    smtpUrl: env.CRUCIBLE_SMTP_URL || undefined,
    smtpFrom: env.CRUCIBLE_SMTP_FROM || undefined,
  };
}

export class NotificationConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotificationConfigError';
  }
}

/** The channels a campaign's spec asks for. */
export function channelsOf(spec: NotificationSpec | undefined): Channel[] {
  return [
    ...(spec?.webhook_url ? (['webhook'] as const) : []),
    ...(spec?.email_to ? (['email'] as const) : []),
  ];
}

const SUBJECTS: Record<Notification['kind'], string> = {
  approval_needed: 'approval needed',
  approval_reminder: 'reminder: approval needed',
  target_reached: 'target reached',
  campaign_finished: 'campaign finished',
  stalled: 'campaign stalled',
  campaign_failed: 'campaign failed',
};

/** Sends mail over one SMTP connection pool per URL (a worker sends many). */
export class Mailer {
  private transports = new Map<string, Transporter>();

  constructor(private readonly config: NotificationConfig) {}

  async send(n: Notification, to: string[]): Promise<void> {
    const { smtpUrl, smtpFrom } = this.config;
    if (!smtpUrl)
      throw new NotificationConfigError('e-mail requested but CRUCIBLE_SMTP_URL is not set on the worker');
    let transport = this.transports.get(smtpUrl);
    if (!transport) {
      transport = createTransport(smtpUrl);
      this.transports.set(smtpUrl, transport);
    }
    await transport.sendMail({
      from: smtpFrom ?? 'crucible@localhost',
      to,
      subject: `[Crucible] ${n.campaign_id}: ${SUBJECTS[n.kind]}`,
      text: `${n.message}\n\ncampaign: ${n.campaign_id}\nevent: ${n.kind}\nat: ${n.created_at}\n`,
      headers: { 'X-Crucible-Notification': n._id },
    });
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

/** Sends one notification on one channel; throws on failure so the caller's retry policy backs off. */
export async function deliver(
  n: Notification,
  channel: Channel,
  spec: NotificationSpec,
  config: NotificationConfig,
  mailer: Mailer,
): Promise<void> {
  if (channel === 'webhook') {
    if (!config.webhookSecret) {
      throw new NotificationConfigError(
        'webhook requested but CRUCIBLE_NOTIFY_WEBHOOK_SECRET is not set on the worker',
      );
    }
    await postSignedJson(spec.webhook_url as string, config.webhookSecret, n._id, {
      type: `campaign.${n.kind}`,
      notification: n,
    });
    return;
  }
  await mailer.send(n, spec.email_to as string[]);
}
