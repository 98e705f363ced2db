import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from '../config';
import { signDownloadToken, verifyDownloadToken } from '../domain/download-token';

/** Signed download links of exports through the public entry point (`GET /downloads/:id`). */
@Injectable()
export class DownloadLinks {
  constructor(
    @Inject(COMPLIANCE_CONFIG) private readonly config: ComplianceConfig,
    private readonly clock: Clock,
  ) {}

  /** When a link to a document completed now stops working. */
  expiry(): Date {
    return new Date(this.clock.now().getTime() + this.config.DOWNLOAD_LINK_TTL_SECONDS * 1000);
  }

  link(orgId: string, requestId: string, expiresAt: Date): string {
    const token = signDownloadToken(
      this.config.DOWNLOAD_SIGNING_SECRET,
      requestId,
      orgId,
      expiresAt,
    );
    const base = this.config.PUBLIC_DOWNLOAD_BASE_URL.replace(/\/+$/, '');
    return `${base}/downloads/${encodeURIComponent(requestId)}?token=${encodeURIComponent(token)}`;
  }

  /** The organization of a valid, unexpired token for the request; undefined otherwise. */
  verify(requestId: string, token: string): { orgId: string; expiresAt: Date } | undefined {
    return verifyDownloadToken(
      this.config.DOWNLOAD_SIGNING_SECRET,
      requestId,
      token,
      this.clock.now(),
    );
  }
}
