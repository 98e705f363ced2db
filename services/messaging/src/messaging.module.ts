import { Module } from '@nestjs/common';
import { AUDIT_SINK } from '@switchboard/auth';
import { OutboxAuditSink } from '@switchboard/events';
import { QuotaModule } from '@switchboard/quota';
import { ConversationThreading } from './conversations/conversation-threading';
import { ConversationsRepository } from './conversations/conversations.repository';
import { ConversationsResolver } from './conversations/conversations.resolver';
import { ConversationsService } from './conversations/conversations.service';
import {
  DeviceReferenceResolver,
  OrganizationReferenceResolver,
} from './federation/entity-references.resolver';
import { IdempotencyRepository } from './messages/idempotency.repository';
import { InboundService } from './messages/inbound.service';
import { MessageLifecycle } from './messages/message-lifecycle';
import { MessageTrackingService } from './messages/message-tracking.service';
import { MessagesConsumer } from './messages/messages.consumer';
import { MessagesRepository } from './messages/messages.repository';
import { MessagesResolver } from './messages/messages.resolver';
import { MessageStatsRepository } from './stats/message-stats.repository';
import { MessageStatsResolver } from './stats/message-stats.resolver';
import { MessageStatsService } from './stats/message-stats.service';
import { MessagesService } from './messages/messages.service';
import { SendRateLimitService } from './messages/send-rate-limit.service';
import { BodyPolicy } from './pre-send/body.policy';
import { ComplianceFacts } from './pre-send/compliance-facts';
import { ConsentPolicy } from './pre-send/consent.policy';
import { DndPolicy } from './pre-send/dnd.policy';
import { OptedOutPolicy } from './pre-send/opted-out.policy';
import { QuietHoursPolicy } from './pre-send/quiet-hours.policy';
import { NumberPolicy } from './pre-send/number.policy';
import { OrganizationStatusPolicy } from './pre-send/organization-status.policy';
import { PRE_SEND_POLICIES, type PreSendPolicy } from './pre-send/pre-send-policy';
import { QuotaSendPolicy } from './pre-send/quota.policy';
import { ComplianceProjectionsRepository } from './projections/compliance-projections.repository';
import { ComplianceProjectionsService } from './projections/compliance-projections.service';
import { ProjectionsConsumer } from './projections/projections.consumer';
import { ProjectionsRepository } from './projections/projections.repository';
import { ProjectionsService } from './projections/projections.service';
import { JobsRepository } from './scheduler/jobs.repository';
import { SchedulerService } from './scheduler/scheduler.service';
import { RoutesRepository } from './routing/routes.repository';
import { RoutesService } from './routing/routes.service';
import { MessageAttemptsResolver, RoutesResolver } from './routing/routes.resolver';
import { RoutingService } from './routing/routing.service';
import { ROUTE_FAILOVER } from './carriers/carrier';
import { CARRIER_CONTROLLERS, CARRIER_PROVIDERS } from './carriers/carriers.providers';
import { MEDIA_CONTROLLERS, MEDIA_PROVIDERS } from './media/media.providers';

/** Messages, conversations, their consumers, the scheduler and the GraphQL API. */
@Module({
  // The quota projection (billing.quota.v1) and its pre-send check.
  imports: [QuotaModule],
  // Carrier callbacks (`/api/carrier-hooks/…`, public, signed).
  controllers: [...CARRIER_CONTROLLERS, ...MEDIA_CONTROLLERS],
  providers: [
    // Platform admins' reads (`@PlatformAdminOperation`) are audited through the outbox.
    { provide: AUDIT_SINK, useClass: OutboxAuditSink },
    MessagesRepository,
    IdempotencyRepository,
    ConversationsRepository,
    ProjectionsRepository,
    ComplianceProjectionsRepository,
    JobsRepository,
    MessageLifecycle,
    ConversationThreading,
    MessagesService,
    SendRateLimitService,
    ConversationsService,
    ProjectionsService,
    ComplianceProjectionsService,
    MessageTrackingService,
    InboundService,
    SchedulerService,
    NumberPolicy,
    BodyPolicy,
    OrganizationStatusPolicy,
    ComplianceFacts,
    OptedOutPolicy,
    DndPolicy,
    ConsentPolicy,
    QuietHoursPolicy,
    QuotaSendPolicy,
    {
      // The pre-send chain, in order: the request's validity first, then the policies that
      // may refuse a valid message: the organization's status, then compliance (opt-out, DND,
      // consent, and quiet hours: it may hold a message the others let through), then the
      // quota, last: an allowed send debits the local quota projection.
      provide: PRE_SEND_POLICIES,
      useFactory: (...policies: PreSendPolicy[]) => policies,
      inject: [
        NumberPolicy,
        BodyPolicy,
        OrganizationStatusPolicy,
        OptedOutPolicy,
        DndPolicy,
        ConsentPolicy,
        QuietHoursPolicy,
        QuotaSendPolicy,
      ],
    },
    // Routes and failover (routing/); carriers reach the failover through ROUTE_FAILOVER.
    RoutesRepository,
    RoutesService,
    RoutingService,
    { provide: ROUTE_FAILOVER, useExisting: RoutingService },
    // Carriers (carriers/): accounts, numbers, the send queue and worker, callbacks.
    ...CARRIER_PROVIDERS,
    // Inbound MMS media (media/): fetch worker, signed `/media/:id` links, Message.media.
    ...MEDIA_PROVIDERS,
    RoutesResolver,
    MessageAttemptsResolver,
    MessagesConsumer,
    ProjectionsConsumer,
    MessagesResolver,
    // Sends per day by outcome (stats/): the console's charts.
    MessageStatsRepository,
    MessageStatsService,
    MessageStatsResolver,
    ConversationsResolver,
    DeviceReferenceResolver,
    OrganizationReferenceResolver,
  ],
  exports: [MessagesService, SchedulerService, RoutingService, ROUTE_FAILOVER],
})
export class MessagingModule {}
