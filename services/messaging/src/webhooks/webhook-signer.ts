import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (the `standardwebhooks` reference library): secrets `whsec_` +
 * base64 of 32 random bytes; `webhook-signature` is `v1,<base64 HMAC-SHA256 over
 * "<id>.<timestamp>.<body>">`, one per active secret separated by spaces (during a rotation's
 * overlap both the new and the previous secret sign, and a receiver holding either verifies).
 */
@Injectable()
export class WebhookSigner {
  newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  headers(
    secrets: readonly string[],
    id: string,
    timestamp: Date,
    body: string,
  ): Record<string, string> {
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' '),
    };
  }
}
