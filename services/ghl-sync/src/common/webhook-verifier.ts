import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import {
  publicKeyFrom,
  signatureOf,
  verifyEd25519,
  verifyRsaSha256,
} from '../domain/webhook-signature';
import { GhlSyncErrorCode, GhlSyncException } from './ghl-sync.exception';

export interface SignatureHeaders {
  'x-ghl-signature'?: string | string[];
  'x-wh-signature'?: string | string[];
}

/**
 * GHL webhook signatures over the raw body bytes, checked before anything is parsed. The
 * provider Delivery URL: Ed25519 `X-GHL-Signature` only. App webhooks: Ed25519 when the header
 * is there (then only that, like GHL's SDKs), the legacy RSA `X-WH-Signature` only when
 * GHL_ACCEPT_LEGACY_RSA_SIGNATURE is on. A missing, `N/A` or wrong signature: INVALID_SIGNATURE.
 * Development mode without a configured key has none: every webhook is refused.
 */
@Injectable()
export class WebhookVerifier {
  private readonly ed25519?: KeyObject;
  private readonly rsa?: KeyObject;

  constructor(@Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig) {
    this.ed25519 = config.GHL_WEBHOOK_PUBLIC_KEY
      ? publicKeyFrom(config.GHL_WEBHOOK_PUBLIC_KEY)
      : undefined;
    this.rsa = config.GHL_WEBHOOK_RSA_PUBLIC_KEY
      ? publicKeyFrom(config.GHL_WEBHOOK_RSA_PUBLIC_KEY)
      : undefined;
  }

  /** The provider Delivery URL: Ed25519 only. */
  verifyProvider(rawBody: Buffer | undefined, headers: SignatureHeaders): Buffer {
    const body = this.bodyOf(rawBody);
    const signature = signatureOf(headers['x-ghl-signature']);
    if (!signature || !this.ed25519 || !verifyEd25519(this.ed25519, body, signature))
      throw this.invalid();
    return body;
  }

  /** App webhooks (INSTALL, UNINSTALL, ContactDndUpdate…): Ed25519 first, RSA behind the flag. */
  verifyApp(rawBody: Buffer | undefined, headers: SignatureHeaders): Buffer {
    const body = this.bodyOf(rawBody);
    const ed = signatureOf(headers['x-ghl-signature']);
    if (ed) {
      if (this.ed25519 && verifyEd25519(this.ed25519, body, ed)) return body;
      throw this.invalid();
    }
    const rsa = signatureOf(headers['x-wh-signature']);
    if (rsa && this.config.GHL_ACCEPT_LEGACY_RSA_SIGNATURE && this.rsa) {
      if (verifyRsaSha256(this.rsa, body, rsa)) return body;
    }
    throw this.invalid();
  }

  private bodyOf(rawBody: Buffer | undefined): Buffer {
    if (!rawBody?.length) throw this.invalid();
    return rawBody;
  }

  private invalid() {
    return new GhlSyncException(
      GhlSyncErrorCode.INVALID_SIGNATURE,
      'The webhook signature is missing or wrong',
    );
  }
}
