import { Injectable } from '@nestjs/common';
import type { RetentionStep } from '@switchboard/retention';
import { Clock } from '@switchboard/service-kit';
import { PrivacyRequestsRepository } from '../privacy/privacy-requests.repository';

/**
 * Compliance's own retention steps: the stored documents of exports whose download link has
 * expired are deleted (the request row stays, as the record that it was answered).
 */
@Injectable()
export class ComplianceRetentionSteps {
  constructor(
    private readonly requests: PrivacyRequestsRepository,
    private readonly clock: Clock,
  ) {}

  all(): RetentionStep[] {
    return [
      {
        job: 'export-documents',
        batch: async (tx, _cut, limit) => {
          const n = await this.requests.deleteExpiredDocuments(tx, this.clock.now(), limit);
          return { counts: { export_chunks_deleted: n }, more: n === limit };
        },
      },
    ];
  }
}
