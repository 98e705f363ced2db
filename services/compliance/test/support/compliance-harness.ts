// Boots the compliance service as it runs in production (same module, same HTTP setup) against
// a database of the test's own and a broker of its own, with access tokens issued like accounts
// issues them, and gives tests what they need to drive it: GraphQL as each kind of caller, the
// events other services publish (organizations, inbound messages), watchers and SQL.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { messagingV1, Topics } from '@switchboard/contracts';
import { startServiceHarness, type ServiceHarness } from '@switchboard/testing';
import { AppModule } from '../../src/app.module';
import { loadComplianceConfig, type ComplianceConfig } from '../../src/config';
import { migrate } from '../../src/database';

export interface InboundInput {
  orgId: string;
  body: string;
  from?: string;
  to?: string;
  messageId?: string;
  deviceId?: string;
  /** The CloudEvents id; a replay of the same record reuses it. */
  eventId?: string;
}

export interface ComplianceHarness extends ServiceHarness<ComplianceConfig> {
  /** An inbound SMS as messaging publishes it (messaging.message.v1, RECEIVED); its id. */
  inbound(input: InboundInput): Promise<string>;
}

export async function startComplianceHarness(
  env: Record<string, string> = {},
): Promise<ComplianceHarness> {
  const base = await startServiceHarness({
    service: 'compliance',
    migrate,
    loadConfig: loadComplianceConfig,
    module: (config, logger) => AppModule.forRoot(config, { logger }),
    env,
    organizationApplied: `SELECT 1 FROM organizations WHERE org_id = $1 AND name = $2`,
  });
  return Object.assign(base, {
    async inbound(input: InboundInput) {
      const messageId = input.messageId ?? randomUUID();
      await base.publish(
        Topics.messaging.message,
        messageId,
        input.orgId,
        {
          messageId,
          orgId: input.orgId,
          kind: messagingV1.MessageEventKind.RECEIVED,
          status: messagingV1.MessageStatus.RECEIVED,
          direction: messagingV1.Direction.INBOUND,
          from: { e164: input.from ?? '+14155550123' },
          to: { e164: input.to ?? '+14155550999' },
          route: messagingV1.Route.DEVICE,
          deviceId: input.deviceId ?? randomUUID(),
          body: input.body,
          sequence: 1,
          occurredAt: timestampFromDate(new Date()),
        },
        input.eventId,
      );
      return messageId;
    },
  });
}
