import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { GhlHttp } from '../client/ghl-http';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import { expiryOf, needsRefresh } from '../domain/tokens';
import type { GhlUserType, InstallationRecord } from './installation.record';
import { InstallationRepository, type SealedTokens } from './installation.repository';

/** `POST /oauth/token`'s answer (GetAccessCodeSuccessfulResponseDto). */
export interface GhlTokenResponse {
  access_token: string;
  token_type?: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  userType?: GhlUserType;
  locationId?: string;
  companyId?: string;
  approvedLocations?: string[];
  userId?: string;
}

/** The natural key a row's sealed tokens are bound to (survives a reinstall's upsert). */
export const tokenBinding = (r: {
  userType: GhlUserType;
  companyId: string;
  locationId: string | null;
}) => (r.userType === 'Company' ? `company:${r.companyId}` : `location:${r.locationId}`);

/**
 * GHL OAuth tokens: the code exchange, refreshes and location tokens minted from an agency's
 * token, sealed at rest with the service keyring (AES-256-GCM, key id in the value, bound to
 * the row's GHL id and column). A refresh takes the installation's row lock first and looks
 * again: one refresh at a time per location or company (refresh tokens are single-use), and
 * the rotated pair is stored in that same transaction.
 */
@Injectable()
export class GhlTokens {
  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly dataSource: DataSource,
    private readonly installations: InstallationRepository,
    private readonly http: GhlHttp,
    private readonly clock: Clock,
  ) {}

  /** The authorization code for tokens (form-encoded, as GHL's token endpoint takes them). */
  async exchangeCode(code: string): Promise<GhlTokenResponse> {
    return this.token({
      grant_type: 'authorization_code',
      code,
      user_type: 'Location',
      redirect_uri: this.config.GHL_REDIRECT_URI,
    });
  }

  /** A location token minted from an agency token (no refresh token: minted again on expiry). */
  async mintLocationToken(
    orgId: string,
    companyToken: string,
    companyId: string,
    locationId: string,
  ): Promise<GhlTokenResponse> {
    const { body } = await this.http.request<GhlTokenResponse>({
      operation: 'oauth.locationToken',
      method: 'POST',
      path: '/oauth/locationToken',
      version: this.config.GHL_VERSION_OAUTH,
      token: companyToken,
      form: { companyId, locationId },
      orgId,
    });
    if (!body?.access_token) throw this.failed('GHL answered no location token');
    return body;
  }

  /** Seals a token response for a row. */
  seal(binding: string, tokens: GhlTokenResponse): SealedTokens {
    const keyring = this.config.keyring;
    return {
      accessToken: keyring.seal(tokens.access_token, `installations:${binding}:access_token`),
      refreshToken: tokens.refresh_token
        ? keyring.seal(tokens.refresh_token, `installations:${binding}:refresh_token`)
        : null,
      keyId: keyring.currentKeyId,
      expiresAt: expiryOf(this.clock.now(), tokens.expires_in),
    };
  }

  /**
   * A usable access token of the location: the stored one, or one refreshed (or minted again)
   * under the row lock when it expires within the margin — or when `stale`, the token a call
   * just saw refused with 401, is still the stored one.
   */
  async locationToken(orgId: string, locationId: string, stale?: string): Promise<string> {
    const current = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.installations.findByLocation(tx, locationId),
    );
    const usable = this.usable(current, stale);
    if (usable) return usable;
    try {
      return await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        const locked = await this.installations.findByLocation(tx, locationId, true);
        return this.usable(locked, stale) ?? (await this.renew(tx, orgId, this.active(locked)));
      });
    } catch (e) {
      await this.recordError(orgId, current?.id, e);
      throw e;
    }
  }

  /** A usable agency (company) token, refreshed under the row lock when it expires soon. */
  async companyToken(orgId: string, companyId: string): Promise<string> {
    const current = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.installations.findCompany(tx, companyId),
    );
    const usable = this.usable(current);
    if (usable) return usable;
    try {
      return await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        const locked = await this.installations.findCompany(tx, companyId, true);
        return this.usable(locked) ?? (await this.renew(tx, orgId, this.active(locked)));
      });
    } catch (e) {
      await this.recordError(orgId, current?.id, e);
      throw e;
    }
  }

  /** The stored token when it is good for longer than the margin and is not `stale`. */
  private usable(record: InstallationRecord | undefined, stale?: string): string | undefined {
    const active = this.active(record);
    if (!active.accessToken) return undefined;
    if (
      needsRefresh(active.expiresAt, this.clock.now(), this.config.GHL_TOKEN_REFRESH_MARGIN_SECONDS)
    )
      return undefined;
    const token = this.config.keyring.open(
      active.accessToken,
      `installations:${tokenBinding(active)}:access_token`,
    );
    return token === stale ? undefined : token;
  }

  private active(record: InstallationRecord | undefined): InstallationRecord {
    if (!record || record.status !== 'ACTIVE') {
      throw new GhlSyncException(
        GhlSyncErrorCode.UNKNOWN_LOCATION,
        'The app is not installed on this GHL location',
      );
    }
    return record;
  }

  /** Refreshes (own refresh token) or mints again (agency) the locked row's token. */
  private async renew(tx: SqlRunner, orgId: string, row: InstallationRecord): Promise<string> {
    const binding = tokenBinding(row);
    let fresh: GhlTokenResponse;
    if (row.refreshToken) {
      fresh = await this.token({
        grant_type: 'refresh_token',
        refresh_token: this.config.keyring.open(
          row.refreshToken,
          `installations:${binding}:refresh_token`,
        ),
        user_type: row.userType,
        redirect_uri: this.config.GHL_REDIRECT_URI,
      });
      if (!fresh.refresh_token) throw this.failed('GHL answered a refresh without a refresh token');
    } else if (row.userType === 'Location' && row.parentId) {
      const company = this.active(await this.installations.findCompany(tx, row.companyId, true));
      const companyToken = this.usable(company) ?? (await this.renew(tx, orgId, company));
      fresh = await this.mintLocationToken(
        orgId,
        companyToken,
        row.companyId,
        row.locationId as string,
      );
    } else {
      throw this.failed('The installation has no refresh token: install the app again');
    }
    await this.installations.saveTokens(tx, row.id, this.seal(binding, fresh), this.clock.now());
    return fresh.access_token;
  }

  private async token(form: Record<string, string>): Promise<GhlTokenResponse> {
    const { body } = await this.http.request<GhlTokenResponse>({
      operation: `oauth.token.${form.grant_type}`,
      method: 'POST',
      path: '/oauth/token',
      form: {
        client_id: this.config.GHL_CLIENT_ID,
        client_secret: this.config.GHL_CLIENT_SECRET,
        ...form,
      },
    });
    if (!body?.access_token) throw this.failed('GHL answered no access token');
    return body;
  }

  private async recordError(orgId: string, id: string | undefined, error: unknown) {
    if (!id) return;
    await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.installations.recordError(tx, id, (error as Error).message, this.clock.now()),
    ).catch(() => undefined);
  }

  private failed(message: string) {
    return new GhlSyncException(GhlSyncErrorCode.OAUTH_FAILED, message);
  }
}
