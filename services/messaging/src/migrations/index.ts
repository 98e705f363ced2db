import { eventTablesMigration } from '@switchboard/service-kit';
import { MessagingTables1700000000100 } from './1700000000100-messaging-tables';
import { SendLimitsAndPurgedOrganizations1700000000101 } from './1700000000101-send-limits-and-purged-organizations';
import { SendRateBuckets1700000000102 } from './1700000000102-send-rate-buckets';
import { ComplianceProjections1700000000103 } from './1700000000103-compliance-projections';
import { Retention1700000000140 } from './1700000000140-retention';
import { Privacy1700000000141 } from './1700000000141-privacy';
import { Quota1700000000150 } from './1700000000150-quota';
import { Webhooks1700000000160 } from './1700000000160-webhooks';
import { WebhookRetention1700000000161 } from './1700000000161-webhook-retention';
import { Carriers1700000000200 } from './1700000000200-carriers';
import { Routing1700000000300 } from './1700000000300-routing';
import { Contacts1700000000500 } from './1700000000500-contacts';
import { Campaigns1700000000501 } from './1700000000501-campaigns';
import { CampaignProgressWebhooks1700000000502 } from './1700000000502-campaign-progress-webhooks';
import { QuotaMms1700000000600 } from './1700000000600-quota-mms';
import { MessageMedia1700000000700 } from './1700000000700-message-media';
import { MessagePriority1700000000710 } from './1700000000710-message-priority';
import { CampaignPacing1700000000800 } from './1700000000800-campaign-pacing';
import { RoutePreferences1700000001000 } from './1700000001000-route-preferences';
import { CampaignPausedReason1700000001010 } from './1700000001010-campaign-paused-reason';
import { WebhookSubscribed1700000001020 } from './1700000001020-webhook-subscribed';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  MessagingTables1700000000100,
  SendLimitsAndPurgedOrganizations1700000000101,
  SendRateBuckets1700000000102,
  ComplianceProjections1700000000103,
  Retention1700000000140,
  Privacy1700000000141,
  Quota1700000000150,
  Webhooks1700000000160,
  WebhookRetention1700000000161,
  Carriers1700000000200,
  Routing1700000000300,
  Contacts1700000000500,
  Campaigns1700000000501,
  CampaignProgressWebhooks1700000000502,
  QuotaMms1700000000600,
  MessageMedia1700000000700,
  MessagePriority1700000000710,
  CampaignPacing1700000000800,
  RoutePreferences1700000001000,
  CampaignPausedReason1700000001010,
  WebhookSubscribed1700000001020,
];
