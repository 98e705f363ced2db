import { Module } from '@nestjs/common';
import { TenantRepository } from '@switchboard/tenancy';
import { GhlApi } from './client/ghl-api.client';
import { GhlHttp } from './client/ghl-http';
import { GhlRateLimiter } from './client/ghl-rate-limiter';
import { GhlSyncEventsWriter } from './common/ghl-sync-events.writer';
import { WebhookVerifier } from './common/webhook-verifier';
import { AppWebhooksController } from './installations/app-webhooks.controller';
import { AppWebhooksService } from './installations/app-webhooks.service';
import { GhlTokens } from './installations/ghl-tokens.service';
import { InstallService } from './installations/install.service';
import { InstallationRepository } from './installations/installation.repository';
import { InstallationsResolver } from './installations/installations.resolver';
import { InstallationsService } from './installations/installations.service';
import { OAuthController } from './installations/oauth.controller';
import { WebhookReceiptRepository } from './installations/webhook-receipt.repository';
import { RequestLogRepository } from './request-log/request-log.repository';

/**
 * The ghl-sync core: the one GHL client (rate limits, request log), installations (OAuth,
 * tokens, app webhooks). Exports what the provider, callback and DND features use.
 */
@Module({
  controllers: [OAuthController, AppWebhooksController],
  providers: [
    TenantRepository,
    RequestLogRepository,
    GhlRateLimiter,
    GhlHttp,
    WebhookVerifier,
    GhlSyncEventsWriter,
    InstallationRepository,
    WebhookReceiptRepository,
    GhlTokens,
    GhlApi,
    InstallService,
    InstallationsService,
    AppWebhooksService,
    InstallationsResolver,
  ],
  exports: [
    TenantRepository,
    GhlSyncEventsWriter,
    RequestLogRepository,
    GhlHttp,
    GhlTokens,
    GhlApi,
    WebhookVerifier,
    InstallationRepository,
    WebhookReceiptRepository,
    InstallationsService,
    AppWebhooksService,
  ],
})
export class GhlSyncModule {}
