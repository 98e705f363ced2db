import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import type {
  PrivacyParticipantRecord,
  PrivacyRequestRecord,
} from '../privacy/privacy-request.record';
import { PrivacyRequestsRepository } from '../privacy/privacy-requests.repository';
import { DownloadLinks } from './download-links';

/** Chunks read per transaction while streaming (each at most 256 KiB). */
const CHUNKS_PER_READ = 8;

export interface ExportDownload {
  filename: string;
  /** Writes the whole document to `out` (constant memory: a few chunks at a time). */
  writeTo(out: Writable): Promise<void>;
}

/**
 * The export as ONE JSON object, streamed: the request, then every service's sections (its
 * chunks in sequence order, a section's items as one array), then the counts and the legal
 * holds each service stated. Only a valid, unexpired link opens it; each download is audited.
 */
@Injectable()
export class ExportDocumentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: PrivacyRequestsRepository,
    private readonly links: DownloadLinks,
    private readonly events: ComplianceEventsWriter,
    private readonly clock: Clock,
  ) {}

  async open(requestId: string, token: string): Promise<ExportDownload> {
    const notFound = new ComplianceException(
      ComplianceErrorCode.PRIVACY_REQUEST_NOT_FOUND,
      'No such export, or the link has expired',
    );
    const valid = this.links.verify(requestId, token);
    if (!valid) throw notFound;
    const { orgId } = valid;
    const { request, participants } = await inTenantTransaction(
      this.dataSource,
      orgId,
      async (tx) => {
        const found = await this.requests.find(tx, requestId);
        // The stored expiry wins over the token's: an erasure ends a link at once.
        const open =
          found?.kind === 'EXPORT' &&
          found.status === 'COMPLETED' &&
          found.expiresAt !== null &&
          found.expiresAt > this.clock.now();
        if (!found || !open) throw notFound;
        await this.events.audit(tx, orgId, {
          actor: { kind: 'system', id: 'download-link' },
          action: 'privacy_request.download',
          resourceType: 'privacy_request',
          resourceId: requestId,
          occurredAt: this.clock.now(),
        });
        return { request: found, participants: await this.requests.participants(tx, requestId) };
      },
    );
    return {
      filename: `switchboard-export-${requestId}.json`,
      writeTo: (out) => this.write(out, request, participants),
    };
  }

  private async write(
    out: Writable,
    request: PrivacyRequestRecord,
    participants: PrivacyParticipantRecord[],
  ): Promise<void> {
    const put = async (text: string) => {
      if (out.destroyed) throw new Error('download aborted by the client');
      if (!out.write(text)) await once(out, 'drain');
    };
    const s = request.subject;
    const head = {
      exportId: request.id,
      organizationId: request.orgId,
      subject:
        s.kind === 'USER'
          ? { kind: s.kind, userId: s.userId }
          : s.kind === 'PHONE_NUMBER'
            ? { kind: s.kind, phoneNumber: s.phoneNumber }
            : { kind: s.kind },
      requestedAt: request.requestedAt,
      completedAt: request.completedAt,
      generatedAt: this.clock.now(),
    };
    await put(JSON.stringify(head).slice(0, -1));
    await put(',"services":{');
    for (const [i, participant] of participants.entries()) {
      await put(`${i ? ',' : ''}${JSON.stringify(participant.service)}:{`);
      let section: string | undefined;
      let after: { service: string; sequence: number } | null = null;
      for (;;) {
        const chunks = await inTenantTransaction(this.dataSource, request.orgId, (tx) =>
          this.requests.chunks(
            tx,
            request.id,
            after ?? { service: participant.service, sequence: -1 },
            CHUNKS_PER_READ,
          ),
        );
        const own = chunks.filter((c) => c.service === participant.service);
        for (const chunk of own) {
          if (chunk.section !== section) {
            await put(`${section === undefined ? '' : '],'}${JSON.stringify(chunk.section)}:[`);
            section = chunk.section;
          } else if (chunk.items.length) {
            await put(',');
          }
          await put(chunk.items.join(','));
        }
        if (own.length < CHUNKS_PER_READ) break;
        const last = own[own.length - 1];
        after = { service: last.service, sequence: last.sequence };
      }
      await put(section === undefined ? '}' : ']}');
    }
    await put('},"counts":');
    await put(JSON.stringify(Object.fromEntries(participants.map((p) => [p.service, p.counts]))));
    await put(',"legalHolds":');
    await put(
      JSON.stringify(
        participants.flatMap((p) => p.legalHolds.map((h) => ({ service: p.service, ...h }))),
      ),
    );
    await put('}');
  }
}
