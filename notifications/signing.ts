import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 signatures for the webhooks Crucible sends (experiment requests pushed to labs,
 * campaign notifications). The signed string is `${timestamp}.${body}`, so a receiver that checks
 * the timestamp's age also refuses replays of an old delivery. Same scheme as Stripe's and
 * Slack's webhooks; receivers verify with `verifySignature`.
 */
export const SIGNATURE_HEADER = 'x-crucible-signature';
export const TIMESTAMP_HEADER = 'x-crucible-timestamp';
export const DELIVERY_HEADER = 'x-crucible-delivery';

export function sign(secret: string, timestampS: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex');
}

/** True when `signature` is this body's signature and the timestamp is at most `toleranceS` old. */
export function verifySignature(
  secret: string,
  headers: { signature: string; timestamp: string },
  body: string,
  opts: { nowS?: number; toleranceS?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts)) return false;
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceS ?? 300)) return false;
  const expected = Buffer.from(sign(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class WebhookDeliveryError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`webhook ${url}: ${detail}`);
    this.name = 'WebhookDeliveryError';
  }
}

/**
 * POSTs a JSON body signed with `secret`. Resolves on a 2xx answer; throws WebhookDeliveryError
 * otherwise, and the caller's retry policy (a Temporal activity's) supplies the backoff.
 */
export async function postSignedJson(
  url: string,
  secret: string,
  deliveryId: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number }> {
  const body = JSON.stringify(payload);
  const ts = Math.floor(Date.now() / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: sign(secret, ts, body),
        [TIMESTAMP_HEADER]: String(ts),
        [DELIVERY_HEADER]: deliveryId,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new WebhookDeliveryError(url, null, (err as Error).message);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new WebhookDeliveryError(url, res.status, `answered ${res.status} ${text}`.trim());
  }
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
}
