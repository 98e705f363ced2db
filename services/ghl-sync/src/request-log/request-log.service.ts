import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isDomainException } from '@switchboard/errors';
import {
  decodeKeysetCursor,
  pageWindow,
  toPage,
  type Page,
  type PageRequest,
} from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { GhlApi } from '../client/ghl-api.client';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import type { RequestLogRecord } from './request-log.record';
import { REQUEST_CURSOR, requestCursor } from './request-log.model';
import { RequestLogRepository } from './request-log.repository';

/** The request log of GHL traffic (GraphQL), and the connection test that adds to it. */
@Injectable()
export class RequestLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: RequestLogRepository,
    private readonly ghl: GhlApi,
  ) {}

  page(
    orgId: string,
    request: PageRequest,
    locationId?: string | null,
  ): Promise<Page<RequestLogRecord>> {
    const window = pageWindow(request, {
      decode: (cursor) => decodeKeysetCursor(REQUEST_CURSOR, cursor),
      invalid: (message) => new GhlSyncException(GhlSyncErrorCode.INVALID_PAGINATION, message),
    });
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const found = await this.log.page(tx, orgId, { locationId }, window.limit + 1, window.after);
      return toPage(found, window.limit, window.after !== undefined, requestCursor);
    });
  }

  /**
   * A harmless read as the location (its conversations, one): the token (refreshed if due),
   * GHL's answer. UNKNOWN_LOCATION when the location is not this organization's installation.
   */
  async testConnection(
    orgId: string,
    locationId: string,
  ): Promise<{ ok: boolean; status: number | null; error: string | null; durationMs: number }> {
    const t0 = performance.now();
    try {
      await this.ghl.probe(orgId, locationId);
      return { ok: true, status: 200, error: null, durationMs: Math.round(performance.now() - t0) };
    } catch (e) {
      if (isDomainException(e) && e.code === GhlSyncErrorCode.UNKNOWN_LOCATION) throw e;
      const status =
        isDomainException(e) && typeof e.details.status === 'number' ? e.details.status : null;
      return {
        ok: false,
        status,
        error: (e as Error).message,
        durationMs: Math.round(performance.now() - t0),
      };
    }
  }
}
