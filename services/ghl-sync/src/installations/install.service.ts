import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import {
  inGlobalTransaction,
  inTenantTransaction,
  TenantRepository,
  type SqlRunner,
} from '@switchboard/tenancy';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import type { AppWebhook } from '../domain/ghl-webhooks';
import { signInstallState, verifyInstallState } from '../domain/oauth-state';
import type { InstallationRecord } from './installation.record';
import { InstallationRepository } from './installation.repository';
import { GhlTokens, tokenBinding, type GhlTokenResponse } from './ghl-tokens.service';
import { WebhookReceiptRepository } from './webhook-receipt.repository';

export interface InstallOutcome {
  orgId: string;
  companyId: string;
  locationIds: string[];
}

type InstallWebhook = Extract<AppWebhook, { type: 'INSTALL' | 'UNINSTALL' }>;

/**
 * Installing and uninstalling the marketplace app: the authorize link (a signed `state` naming
 * the organization), the OAuth callback (code → tokens; an agency's approved locations get
 * location tokens), and the INSTALL/UNINSTALL webhooks. Every change of one install is one
 * transaction: installations, the GHL-id directory and the webhook receipt together.
 */
@Injectable()
export class InstallService {
  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly dataSource: DataSource,
    private readonly installations: InstallationRepository,
    private readonly receipts: WebhookReceiptRepository,
    private readonly tenants: TenantRepository,
    private readonly tokens: GhlTokens,
    private readonly clock: Clock,
  ) {}

  /** GHL's "choose location" link for the organization's owner; its state expires. */
  authorizeUrl(orgId: string, userId: string): { url: string; expiresAt: Date } {
    const expiresAt = new Date(
      this.clock.now().getTime() + this.config.GHL_STATE_TTL_SECONDS * 1000,
    );
    const state = signInstallState(
      this.config.GHL_STATE_SECRET,
      { orgId, userId, expiresAt },
      randomBytes(9).toString('base64url'),
    );
    const url = new URL('/oauth/chooselocation', this.config.GHL_MARKETPLACE_BASE);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', this.config.GHL_REDIRECT_URI);
    url.searchParams.set('client_id', this.config.GHL_CLIENT_ID);
    url.searchParams.set('scope', this.config.GHL_SCOPES);
    url.searchParams.set('state', state);
    return { url: url.toString(), expiresAt };
  }

  /** The OAuth callback: the state checked first (nothing is asked of GHL for a forged one). */
  async completeInstall(
    code: string | undefined,
    state: string | undefined,
  ): Promise<InstallOutcome> {
    const install = state
      ? verifyInstallState(this.config.GHL_STATE_SECRET, state, this.clock.now())
      : undefined;
    if (!install) {
      throw new GhlSyncException(
        GhlSyncErrorCode.INVALID_STATE,
        'The install link is invalid or expired',
      );
    }
    if (!code) throw new GhlSyncException(GhlSyncErrorCode.OAUTH_FAILED, 'GHL sent no code');
    const orgId = install.orgId;
    const granted = await this.tokens.exchangeCode(code);
    const companyId = granted.companyId;
    if (!companyId)
      throw new GhlSyncException(GhlSyncErrorCode.OAUTH_FAILED, 'GHL named no company');
    if (granted.userType === 'Company') {
      const minted = new Map<string, GhlTokenResponse>();
      for (const locationId of granted.approvedLocations ?? []) {
        minted.set(
          locationId,
          await this.tokens.mintLocationToken(orgId, granted.access_token, companyId, locationId),
        );
      }
      await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        await this.tenants.register(tx, orgId);
        const company = await this.save(
          tx,
          orgId,
          'Company',
          companyId,
          null,
          null,
          granted,
          install.userId,
        );
        for (const [locationId, token] of minted) {
          await this.save(
            tx,
            orgId,
            'Location',
            companyId,
            locationId,
            company.id,
            token,
            install.userId,
          );
        }
      });
      return { orgId, companyId, locationIds: [...minted.keys()] };
    }
    const locationId = granted.locationId;
    if (!locationId)
      throw new GhlSyncException(GhlSyncErrorCode.OAUTH_FAILED, 'GHL named no location');
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.tenants.register(tx, orgId);
      await this.save(tx, orgId, 'Location', companyId, locationId, null, granted, install.userId);
    });
    return { orgId, companyId, locationIds: [locationId] };
  }

  /**
   * INSTALL / UNINSTALL (signature and timestamp already checked). The location or company must
   * be linked to an organization (UNKNOWN_LOCATION otherwise, nothing written); a webhookId seen
   * before is acknowledged and ignored. Returns false for a duplicate.
   */
  async onInstallWebhook(hook: InstallWebhook): Promise<boolean> {
    if (hook.appId !== this.config.GHL_APP_ID) return false;
    const now = this.clock.now();
    // An agency's new location: minted from the company token (HTTP before the transaction).
    let minted: { orgId: string; company: InstallationRecord; token: GhlTokenResponse } | undefined;
    if (hook.type === 'INSTALL' && hook.locationId) {
      minted = await this.mintForCompanyLocation(hook.companyId, hook.locationId);
    }
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const target = hook.locationId
        ? await this.installations.directory(tx, 'LOCATION', hook.locationId)
        : hook.companyId
          ? await this.installations.directory(tx, 'COMPANY', hook.companyId)
          : undefined;
      const orgId = target?.orgId ?? minted?.orgId;
      if (!orgId) {
        throw new GhlSyncException(
          GhlSyncErrorCode.UNKNOWN_LOCATION,
          'No Switchboard organization is linked to this GHL location or company',
        );
      }
      if (!(await this.receipts.add(tx, hook.webhookId, hook.type, now))) return false;
      await enterTenant(orgId);
      if (hook.type === 'UNINSTALL') {
        await this.uninstall(tx, orgId, hook, now);
        return true;
      }
      if (minted && hook.locationId) {
        await this.save(
          tx,
          orgId,
          'Location',
          hook.companyId,
          hook.locationId,
          minted.company.id,
          minted.token,
          null,
        );
        return true;
      }
      // A location or company installed again whose row is known: traffic resumes when it still
      // holds tokens (the OAuth callback stores new ones otherwise).
      const row = hook.locationId
        ? await this.installations.findByLocation(tx, hook.locationId)
        : await this.installations.findCompany(tx, hook.companyId);
      if (row?.accessToken) {
        await this.installations.upsert(tx, {
          id: row.id,
          orgId,
          userType: row.userType,
          companyId: row.companyId,
          locationId: row.locationId,
          parentId: row.parentId,
          scopes: '',
          installedBy: null,
          tokens: null,
          at: now,
        });
        await this.link(tx, orgId, row, true, now);
      }
      return true;
    });
  }

  private async mintForCompanyLocation(companyId: string, locationId: string) {
    const company = await inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const found = await this.installations.directory(tx, 'COMPANY', companyId);
      if (!found?.active) return undefined;
      await enterTenant(found.orgId);
      const row = await this.installations.findCompany(tx, companyId);
      return row?.status === 'ACTIVE' ? row : undefined;
    });
    if (!company) return undefined;
    const companyToken = await this.tokens.companyToken(company.orgId, companyId);
    const token = await this.tokens.mintLocationToken(
      company.orgId,
      companyToken,
      companyId,
      locationId,
    );
    return { orgId: company.orgId, company, token };
  }

  private async uninstall(tx: SqlRunner, orgId: string, hook: InstallWebhook, now: Date) {
    const rows = hook.locationId
      ? [await this.installations.findByLocation(tx, hook.locationId)]
      : hook.companyId
        ? [
            await this.installations.findCompany(tx, hook.companyId),
            ...(await this.installations.locationsOf(tx, hook.companyId)).filter((r) => r.parentId),
          ]
        : [];
    const found = rows.filter((r): r is InstallationRecord => !!r);
    await this.installations.uninstall(
      tx,
      found.map((r) => r.id),
      now,
    );
    for (const row of found) await this.link(tx, orgId, row, false, now);
  }

  private async save(
    tx: SqlRunner,
    orgId: string,
    userType: 'Company' | 'Location',
    companyId: string,
    locationId: string | null,
    parentId: string | null,
    token: GhlTokenResponse,
    installedBy: string | null,
  ): Promise<InstallationRecord> {
    const now = this.clock.now();
    const binding = tokenBinding({ userType, companyId, locationId });
    const row = await this.installations.upsert(tx, {
      id: randomUUID(),
      orgId,
      userType,
      companyId,
      locationId,
      parentId,
      scopes: token.scope ?? '',
      installedBy,
      tokens: this.tokens.seal(binding, token),
      at: now,
    });
    await this.link(tx, orgId, row, true, now);
    return row;
  }

  private link(tx: SqlRunner, orgId: string, row: InstallationRecord, active: boolean, at: Date) {
    return row.userType === 'Company'
      ? this.installations.link(tx, 'COMPANY', row.companyId, orgId, active, at)
      : this.installations.link(tx, 'LOCATION', row.locationId as string, orgId, active, at);
  }
}
