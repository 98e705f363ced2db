import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction } from '@switchboard/tenancy';
import { GhlSyncEventsWriter } from '../common/ghl-sync-events.writer';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import type { ProviderOutboundMessage } from '../domain/ghl-webhooks';
import { InstallationRepository } from '../installations/installation.repository';
import { ProviderMessagesRepository } from './provider-messages.repository';

export type ProviderDeliveryOutcome = 'accepted' | 'duplicate';

interface Pending {
  message: ProviderOutboundMessage;
  resolve: (outcome: ProviderDeliveryOutcome) => void;
  reject: (error: unknown) => void;
}

/** Deliveries written in one transaction at most. */
const MAX_BATCH = 256;
/** Transactions in flight at once. */
const MAX_FLUSHES = 2;

/**
 * Records verified provider deliveries with group commit: the deliveries that arrive while a
 * transaction is in flight are written together in the next one — each location's organization
 * looked up (an unknown or uninstalled one refused, nothing written), every delivery recorded
 * once per GHL message id (one multi-row INSERT per organization), the send command of each new
 * one in the outbox — and every caller is answered when that transaction has committed. Under
 * load one commit serves many acknowledgements; alone, a delivery waits for no one.
 */
@Injectable()
export class ProviderIngestService {
  private queue: Pending[] = [];
  private flushing = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly installations: InstallationRepository,
    private readonly deliveries: ProviderMessagesRepository,
    private readonly events: GhlSyncEventsWriter,
    private readonly clock: Clock,
  ) {}

  /** Resolves once the delivery is committed (or was recorded before). */
  record(message: ProviderOutboundMessage): Promise<ProviderDeliveryOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.flushing < MAX_FLUSHES && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.flushing++;
      void this.flush(batch).finally(() => {
        this.flushing--;
        this.drain();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    const now = this.clock.now();
    try {
      const outcomes = await inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
        const orgOf = new Map<string, string | undefined>();
        for (const locationId of new Set(batch.map((p) => p.message.locationId))) {
          const linked = await this.installations.directory(tx, 'LOCATION', locationId);
          orgOf.set(locationId, linked?.active ? linked.orgId : undefined);
        }
        const results = new Map<Pending, ProviderDeliveryOutcome | Error>();
        const byOrg = new Map<string, Pending[]>();
        for (const p of batch) {
          const orgId = orgOf.get(p.message.locationId);
          if (!orgId) {
            results.set(
              p,
              new GhlSyncException(
                GhlSyncErrorCode.UNKNOWN_LOCATION,
                'No active installation for this GHL location',
              ),
            );
          } else byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), p]);
        }
        for (const [orgId, items] of byOrg) {
          await enterTenant(orgId);
          const added = await this.deliveries.addMany(
            tx,
            orgId,
            items.map(({ message: m }) => ({
              ghlMessageId: m.messageId,
              locationId: m.locationId,
              contactId: m.contactId ?? null,
              phone: m.phone,
            })),
            now,
          );
          for (const p of items) {
            const m = p.message;
            // Only the first of a batch's copies is new (a redelivery racing the first).
            if (!added.delete(m.messageId)) {
              results.set(p, 'duplicate');
              continue;
            }
            results.set(p, 'accepted');
            await this.events.send(
              tx,
              orgId,
              {
                ghlMessageId: m.messageId,
                to: m.phone,
                body: m.message,
                mediaUrls: m.attachments,
                metadata: {
                  ghlLocationId: m.locationId,
                  ...(m.contactId ? { ghlContactId: m.contactId } : {}),
                },
              },
              now,
            );
          }
        }
        return results;
      });
      for (const p of batch) {
        const outcome = outcomes.get(p);
        if (outcome instanceof Error) p.reject(outcome);
        else p.resolve(outcome ?? 'duplicate');
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
