import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule, authOptionsFromConfig } from '@switchboard/auth';
import { EventsModule, eventsOptionsFromConfig } from '@switchboard/events';
import { MetricsModule, type Logger } from '@switchboard/observability';
import {
  DatabaseModule,
  ReadinessModule,
  SecretKeyringModule,
  serviceConfigModule,
  subgraphGraphQL,
} from '@switchboard/service-kit';
import { MESSAGING_CONFIG, type MessagingConfig } from './config';
// MessagingModule first: the SDL lists types in the order they are declared (schema.graphql).
import { MessagingModule } from './messaging.module';
import { DeviceReference, OrganizationReference } from './federation/entity-references.model';
import { CampaignsModule } from './campaigns/campaigns.module';
import { ContactsModule } from './contacts/contacts.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** Wiring only: the kit's runtime pieces, GraphQL, Kafka, and the messaging features. */
@Module({})
export class AppModule {
  static forRoot(config: MessagingConfig, options: { logger?: Logger } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        serviceConfigModule(MESSAGING_CONFIG, config),
        SecretKeyringModule.forRoot(config.secretKeyring),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
        }),
        AuthModule.forRoot({ ...authOptionsFromConfig(config), global: true }),
        subgraphGraphQL(config, {
          logger: options.logger,
          // Entities of other subgraphs this one extends; no query returns them.
          orphanedTypes: [DeviceReference, OrganizationReference],
        }),
        EventsModule.forRootAsync({
          useFactory: () =>
            eventsOptionsFromConfig('messaging', config, {
              partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
            }),
        }),
        MetricsModule.forRoot({ service: 'messaging' }),
        ReadinessModule.forRoot(),
        MessagingModule,
        RetentionModule,
        PrivacyModule,
        WebhooksModule,
        ContactsModule,
        CampaignsModule,
      ],
    };
  }
}
