import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/tenancy';
import { locationForNumber } from '../domain/contact-location';
import { InstallationRepository } from '../installations/installation.repository';
import { ProviderMessagesRepository } from './provider-messages.repository';

/** The GHL location a number's traffic goes to (domain/contact-location.ts), in a tenant tx. */
@Injectable()
export class ContactLocations {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly deliveries: ProviderMessagesRepository,
  ) {}

  async of(tx: SqlRunner, phone: string): Promise<string | undefined> {
    const active = (await this.installations.activeLocations(tx)).map(
      (r) => r.locationId as string,
    );
    if (active.length === 0) return undefined;
    return locationForNumber(active, await this.deliveries.lastLocationOf(tx, phone));
  }
}
