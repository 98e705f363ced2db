import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import type { InstallationRecord } from './installation.record';
import { InstallationRepository } from './installation.repository';

/** The organization's GHL installations (read side). */
@Injectable()
export class InstallationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly installations: InstallationRepository,
  ) {}

  list(orgId: string): Promise<InstallationRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.installations.list(tx, orgId));
  }
}
