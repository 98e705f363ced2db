import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { analyzeSms } from '@switchboard/sms';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { stableUuid } from '../common/stable-id';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { ConversationThreading } from '../conversations/conversation-threading';
import {
  decideOnCarrierReport,
  newCarrierInboundMessage,
  readTelnyxEvent,
  readTwilioInbound,
  readTwilioStatusCallback,
  type CarrierCallback,
  type CarrierInboundMessage,
  type CarrierStatusReport,
} from '../domain/carrier-callbacks';
import type { CarrierKind } from '../domain/carrier-errors';
import { decideOnInbound } from '../domain/inbound-message';
import { MediaService } from '../media/media.service';
import { MessageLifecycle } from '../messages/message-lifecycle';
import { MessagesRepository } from '../messages/messages.repository';
import { ProjectionsRepository } from '../projections/projections.repository';
import { CarrierAccountsService } from './carrier-accounts.service';
import { CarrierMessageWriter } from './carrier-message.writer';
import type { CarrierAccountRecord } from './carrier.record';
import { CarriersRepository } from './carriers.repository';
import { verifyTelnyxRequest } from './telnyx/telnyx-signature';
import { verifyTwilioRequest } from './twilio/twilio-signature';

export type TwilioHook = 'status' | 'inbound';

const refused = (detail = 'Invalid carrier signature') =>
  new MessagingException(MessagingErrorCode.INVALID_CARRIER_SIGNATURE, detail);

/**
 * Carrier callbacks on messaging's public endpoint (`/api/carrier-hooks/…`). Each URL names the
 * organization and the carrier account, so the key that verifies it is found without reading
 * the unverified body. In one tenant transaction: the signature is checked on the raw body
 * (nothing parsed before), then the callback's dedupe key is recorded (a replay finds it and
 * changes nothing), then a status moves the message (never backwards) or an inbound message
 * lands in the conversation of (contact, receiving number). A refused callback throws before
 * anything is written, so the transaction has nothing to roll back but reads.
 */
@Injectable()
export class CarrierCallbacksService {
  private readonly logger = new Logger(CarrierCallbacksService.name);
  private readonly callbacks;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly carriers: CarriersRepository,
    private readonly accounts: CarrierAccountsService,
    private readonly messages: MessagesRepository,
    private readonly projections: ProjectionsRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly threading: ConversationThreading,
    private readonly writer: CarrierMessageWriter,
    private readonly clock: Clock,
    metrics: Metrics,
    @Optional() @Inject(MediaService) private readonly media: MediaService | null = null,
  ) {
    this.callbacks = metrics.counter(
      'messaging_carrier_callbacks_total',
      'Carrier callbacks received, by carrier and outcome.',
      ['carrier', 'outcome'],
    );
  }

  async twilio(input: {
    orgId: string;
    accountId: string;
    hook: TwilioHook;
    signature: string | undefined;
    rawBody: Buffer | undefined;
  }): Promise<void> {
    await this.receive(input.orgId, input.accountId, 'TWILIO', (account) => {
      const secrets = this.accounts.open(account);
      if (secrets.kind !== 'TWILIO') throw refused();
      const url = this.accounts.callbackUrls(account)[input.hook];
      const params = verifyTwilioRequest(secrets.authToken, input.signature, url, input.rawBody);
      if (!params) throw refused();
      return input.hook === 'status' ? readTwilioStatusCallback(params) : readTwilioInbound(params);
    });
  }

  async telnyx(input: {
    orgId: string;
    accountId: string;
    signature: string | undefined;
    timestamp: string | undefined;
    rawBody: Buffer | undefined;
  }): Promise<void> {
    await this.receive(input.orgId, input.accountId, 'TELNYX', (account) => {
      const secrets = this.accounts.open(account);
      if (secrets.kind !== 'TELNYX') throw refused();
      const verdict = verifyTelnyxRequest(
        secrets.webhookPublicKey,
        input.signature,
        input.timestamp,
        input.rawBody,
        this.clock.now(),
        this.config.CARRIER_CALLBACK_TOLERANCE_SECONDS,
      );
      if (verdict === 'stale') throw refused('Stale carrier callback timestamp');
      if (verdict !== 'valid') throw refused();
      let event: unknown;
      try {
        event = JSON.parse(input.rawBody!.toString('utf8'));
      } catch {
        return { kind: 'ignored', reason: 'not JSON' };
      }
      return readTelnyxEvent(event);
    });
  }

  private async receive(
    orgId: string,
    accountId: string,
    kind: CarrierKind,
    verify: (account: CarrierAccountRecord) => CarrierCallback,
  ): Promise<void> {
    try {
      const outcome = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        const account = await this.carriers.findAccount(tx, accountId);
        if (!account || account.kind !== kind) throw refused();
        const callback = verify(account);
        if (callback.kind === 'ignored') return 'ignored';
        const now = this.clock.now();
        if (!(await this.carriers.takeReceipt(tx, orgId, accountId, callback.dedupeKey, now))) {
          return 'replay';
        }
        return callback.kind === 'status'
          ? this.onStatus(tx, account, callback)
          : this.onInbound(tx, account, callback);
      });
      this.callbacks.inc({ carrier: kind, outcome });
    } catch (error) {
      if (error instanceof MessagingException)
        this.callbacks.inc({ carrier: kind, outcome: 'refused' });
      throw error;
    }
  }

  private async onStatus(
    tx: EntityManager,
    account: CarrierAccountRecord,
    report: CarrierStatusReport,
  ): Promise<string> {
    const send = await this.carriers.findSend(tx, account.id, report.externalId);
    if (!send) return 'unknown-message';
    const message = await this.messages.findById(tx, send.messageId, { forUpdate: true });
    if (!message) return 'unknown-message';
    const decision = decideOnCarrierReport(
      { status: message.status, timestamps: message },
      report,
      account.kind,
    );
    if (decision.action === 'ignore') return 'no-change';
    if (decision.action === 'record') {
      await this.writer.reported(
        tx,
        message,
        decision.reported,
        decision.statusChanged,
        report.at ?? this.clock.now(),
      );
      return 'status';
    }
    // A failure of an attempt the message has left behind changes nothing.
    if (send.attempt !== message.attempt) return 'no-change';
    await this.writer.failed(tx, message, { routeId: send.routeId, error: decision.error });
    return 'failed';
  }

  private async onInbound(
    tx: EntityManager,
    account: CarrierAccountRecord,
    inbound: CarrierInboundMessage,
  ): Promise<string> {
    // The receiving number must be this account's (a number belongs to one organization).
    const number = await this.carriers.findNumber(tx, inbound.to);
    if (!number || number.carrierAccountId !== account.id) {
      this.logger.warn({
        msg: 'carrier inbound to a number of no account here',
        account: account.id,
      });
      return 'unknown-number';
    }
    // The carrier account is the organization's own row here, so it vouches that the
    // organization exists even before accounts' event has been projected (see decideOnInbound).
    const decision = decideOnInbound(
      await this.projections.findOrganization(tx, account.orgId),
      await this.projections.isPurged(tx, account.orgId),
      { vouched: true },
    );
    if (decision.action === 'drop') return decision.reason;
    const now = this.clock.now();
    const sms = analyzeSms(inbound.body);
    const created = await this.lifecycle.createOnce(
      tx,
      newCarrierInboundMessage(
        {
          id: stableUuid('carrier-inbound', account.orgId, account.id, inbound.externalId),
          orgId: account.orgId,
          carrier: account.kind,
          externalId: inbound.externalId,
          from: inbound.from,
          to: number.number,
          body: inbound.body,
          encoding: sms.encoding,
          segments: sms.segments,
          mediaUrls: inbound.mediaUrls,
          receivedAt: inbound.at ?? now,
        },
        now,
      ),
    );
    if (!created) return 'replay';
    // Its media are fetched and kept by the media worker (with this account's credentials).
    await this.media?.queueInbound(tx, created, account.id);
    const conversationId = await this.threading.threadFor(
      tx,
      created,
      { ourNumber: number.number },
      { move: false, unread: true },
    );
    await this.lifecycle.change(
      tx,
      created,
      { conversationId: conversationId ?? null },
      [{ kind: 'RECEIVED', at: created.receivedAt ?? now }],
      undefined,
      now,
    );
    return 'inbound';
  }
}
