import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { WebhookVerifier, type SignatureHeaders } from '../common/webhook-verifier';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import { isFresh, parseAppWebhook, type AppWebhook } from '../domain/ghl-webhooks';
import { InstallService } from './install.service';

/** What happened to an app webhook: applied, or acknowledged without effect. */
export type AppWebhookOutcome = 'applied' | 'duplicate' | 'ignored';

/** Handlers of app webhook types other features own (ContactDndUpdate: the DND feature). */
export const APP_WEBHOOK_HANDLERS = Symbol('APP_WEBHOOK_HANDLERS');
export interface AppWebhookHandler {
  readonly type: AppWebhook['type'];
  handle(hook: AppWebhook): Promise<boolean>;
}

/**
 * `POST /ghl/webhooks/app`: signature over the raw bytes first, then the body, then the
 * timestamp (replays older than GHL_WEBHOOK_TOLERANCE_SECONDS refused), then the type's
 * handler, which deduplicates on `webhookId` in its transaction.
 */
@Injectable()
export class AppWebhooksService {
  private readonly handlers = new Map<string, AppWebhookHandler>();

  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly verifier: WebhookVerifier,
    private readonly installs: InstallService,
    private readonly clock: Clock,
  ) {}

  /** Lets another feature handle a webhook type (called from its module's init). */
  register(handler: AppWebhookHandler): void {
    this.handlers.set(handler.type, handler);
  }

  async receive(
    rawBody: Buffer | undefined,
    headers: SignatureHeaders,
  ): Promise<AppWebhookOutcome> {
    const body = this.verifier.verifyApp(rawBody, headers);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GhlSyncException(GhlSyncErrorCode.INVALID_WEBHOOK, 'The body is not JSON');
    }
    const parsed = parseAppWebhook(json);
    if (!parsed.ok) throw new GhlSyncException(GhlSyncErrorCode.INVALID_WEBHOOK, parsed.problem);
    const hook = parsed.value;
    if (!isFresh(hook.timestamp, this.clock.now(), this.config.GHL_WEBHOOK_TOLERANCE_SECONDS)) {
      throw new GhlSyncException(
        GhlSyncErrorCode.STALE_WEBHOOK,
        'The webhook timestamp is too old',
      );
    }
    if (hook.type === 'INSTALL' || hook.type === 'UNINSTALL') {
      return (await this.installs.onInstallWebhook(hook)) ? 'applied' : 'duplicate';
    }
    const handler = this.handlers.get(hook.type);
    if (!handler) return 'ignored';
    return (await handler.handle(hook)) ? 'applied' : 'duplicate';
  }
}
