import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, type SqlRunner } from '@switchboard/tenancy';
import { CallbackQueue } from '../callbacks/callback-queue.service';
import { GhlSyncEventsWriter } from '../common/ghl-sync-events.writer';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { e164OrUndefined } from '../domain/contact-location';
import type { AppWebhook } from '../domain/ghl-webhooks';
import { AppWebhooksService } from '../installations/app-webhooks.service';
import { InstallationRepository } from '../installations/installation.repository';
import { WebhookReceiptRepository } from '../installations/webhook-receipt.repository';
import { ContactLocations } from './contact-locations.service';
import { numberSubject } from './inbound-messages.service';

type DndWebhook = Extract<AppWebhook, { type: 'ContactDndUpdate' }>;

/**
 * DND both ways. Switchboard → GHL: a number opted out (STOP; any source but GHL itself) sets
 * the contact's SMS DND in GHL, opting in by keyword (START) clears it — a callback of the
 * number's location. GHL → Switchboard: a `ContactDndUpdate` becomes compliance's decision
 * (`compliance.opt-out-request.v1`, source GHL): DND set refuses sends, DND cleared lifts only
 * the DND (never a STOP).
 */
@Injectable()
export class DndService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly installations: InstallationRepository,
    private readonly receipts: WebhookReceiptRepository,
    private readonly locations: ContactLocations,
    private readonly callbacks: CallbackQueue,
    private readonly events: GhlSyncEventsWriter,
    private readonly webhooks: AppWebhooksService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.webhooks.register({
      type: 'ContactDndUpdate',
      handle: (hook) => this.onGhlDnd(hook as DndWebhook),
    });
  }

  /** A number's suppression state changed (compliance.suppression.v1). */
  async onSuppression(
    tx: SqlRunner,
    orgId: string,
    state: { phone: string; optedOut: boolean; source: string; changedAt?: Date },
  ): Promise<void> {
    // GHL's own DND comes back as `dnd`, not as an opt-out: nothing to send back.
    if (state.source === 'GHL') return;
    if (!state.optedOut && state.source !== 'INBOUND_KEYWORD') return;
    const locationId = await this.locations.of(tx, state.phone);
    if (!locationId) return;
    await this.callbacks.enqueue(tx, {
      orgId,
      locationId,
      subject: numberSubject(state.phone),
      payload: { kind: 'CONTACT_DND', phone: state.phone, set: state.optedOut },
      at: this.clock.now(),
    });
  }

  /** GHL's ContactDndUpdate: compliance decides (deduplicated on webhookId). */
  async onGhlDnd(hook: DndWebhook): Promise<boolean> {
    const phone = e164OrUndefined(hook.phone);
    const now = this.clock.now();
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const linked = await this.installations.directory(tx, 'LOCATION', hook.locationId);
      if (!linked?.active) {
        throw new GhlSyncException(
          GhlSyncErrorCode.UNKNOWN_LOCATION,
          'No active installation for this GHL location',
        );
      }
      if (!(await this.receipts.add(tx, hook.webhookId, hook.type, now))) return false;
      if (!phone || hook.smsDnd === undefined) return true;
      await enterTenant(linked.orgId);
      await this.events.dnd(
        tx,
        linked.orgId,
        phone,
        hook.smsDnd,
        'GHL ContactDndUpdate',
        hook.timestamp,
      );
      return true;
    });
  }
}
