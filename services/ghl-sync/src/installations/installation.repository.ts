import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows, setRlsSetting, type SqlRunner } from '@switchboard/tenancy';
import { LOOKUP_SETTING, lookupKey, type GhlIdKind } from '../common/directory-lookup';
import type { GhlUserType, InstallationRecord } from './installation.record';

const COLUMNS = `id, org_id AS "orgId", user_type AS "userType", company_id AS "companyId",
  location_id AS "locationId", parent_id AS "parentId", status, scopes,
  access_token AS "accessToken", refresh_token AS "refreshToken", token_key_id AS "tokenKeyId",
  expires_at AS "expiresAt", refreshed_at AS "refreshedAt", installed_at AS "installedAt",
  uninstalled_at AS "uninstalledAt", last_error AS "lastError", last_error_at AS "lastErrorAt",
  updated_at AS "updatedAt"`;

/** Sealed tokens as they are written (both sealed with the keyring's current key). */
export interface SealedTokens {
  accessToken: string;
  refreshToken: string | null;
  keyId: string;
  expiresAt: Date;
}

/** SQL of `installations` and of the global `ghl_directory` (GHL id → organization). */
@Injectable()
export class InstallationRepository {
  list(tx: SqlRunner, orgId: string): Promise<InstallationRecord[]> {
    return rows(
      tx,
      `SELECT ${COLUMNS} FROM installations WHERE org_id = $1
       ORDER BY user_type, company_id, location_id NULLS FIRST`,
      [orgId],
    );
  }

  find(tx: SqlRunner, orgId: string, id: string): Promise<InstallationRecord | undefined> {
    return row(tx, `SELECT ${COLUMNS} FROM installations WHERE org_id = $1 AND id = $2`, [
      orgId,
      id,
    ]);
  }

  /**
   * The location's installation; `forUpdate` holds its row lock until the transaction ends
   * (one token refresh at a time per location: refresh tokens are single-use).
   */
  findByLocation(
    tx: SqlRunner,
    locationId: string,
    forUpdate = false,
  ): Promise<InstallationRecord | undefined> {
    return row(
      tx,
      `SELECT ${COLUMNS} FROM installations WHERE location_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [locationId],
    );
  }

  findCompany(
    tx: SqlRunner,
    companyId: string,
    forUpdate = false,
  ): Promise<InstallationRecord | undefined> {
    return row(
      tx,
      `SELECT ${COLUMNS} FROM installations WHERE company_id = $1 AND user_type = 'Company'${forUpdate ? ' FOR UPDATE' : ''}`,
      [companyId],
    );
  }

  /** The organization's active locations, the first installed first. */
  activeLocations(tx: SqlRunner): Promise<InstallationRecord[]> {
    return rows(
      tx,
      `SELECT ${COLUMNS} FROM installations WHERE user_type = 'Location' AND status = 'ACTIVE'
       ORDER BY installed_at, location_id`,
    );
  }

  /** Locations installed under a company (agency installs). */
  locationsOf(tx: SqlRunner, companyId: string): Promise<InstallationRecord[]> {
    return rows(
      tx,
      `SELECT ${COLUMNS} FROM installations WHERE company_id = $1 AND user_type = 'Location'
       ORDER BY location_id`,
      [companyId],
    );
  }

  /** Creates or reactivates the installation of a company or location, with its tokens. */
  async upsert(
    tx: SqlRunner,
    input: {
      id: string;
      orgId: string;
      userType: GhlUserType;
      companyId: string;
      locationId: string | null;
      parentId: string | null;
      scopes: string;
      installedBy: string | null;
      tokens: SealedTokens | null;
      at: Date;
    },
  ): Promise<InstallationRecord> {
    const conflict =
      input.userType === 'Company'
        ? `(company_id) WHERE user_type = 'Company'`
        : `(location_id) WHERE location_id IS NOT NULL`;
    const found = await row<InstallationRecord>(
      tx,
      `INSERT INTO installations (id, org_id, user_type, company_id, location_id, parent_id, status,
         scopes, access_token, refresh_token, token_key_id, expires_at, refreshed_at, installed_by,
         installed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $8, $9, $10, $11, $12, $13, $12, $12)
       ON CONFLICT ${conflict} DO UPDATE SET
         status = 'ACTIVE', parent_id = EXCLUDED.parent_id, company_id = EXCLUDED.company_id,
         scopes = CASE WHEN EXCLUDED.scopes = '' THEN installations.scopes ELSE EXCLUDED.scopes END,
         access_token = COALESCE(EXCLUDED.access_token, installations.access_token),
         refresh_token = CASE WHEN EXCLUDED.access_token IS NULL THEN installations.refresh_token
                              ELSE EXCLUDED.refresh_token END,
         token_key_id = COALESCE(EXCLUDED.token_key_id, installations.token_key_id),
         expires_at = COALESCE(EXCLUDED.expires_at, installations.expires_at),
         refreshed_at = EXCLUDED.refreshed_at,
         installed_at = CASE WHEN installations.status = 'UNINSTALLED' THEN EXCLUDED.installed_at
                             ELSE installations.installed_at END,
         uninstalled_at = NULL, last_error = NULL, last_error_at = NULL,
         updated_at = EXCLUDED.updated_at
       WHERE installations.org_id = EXCLUDED.org_id
       RETURNING ${COLUMNS}`,
      [
        input.id,
        input.orgId,
        input.userType,
        input.companyId,
        input.locationId,
        input.parentId,
        input.scopes,
        input.tokens?.accessToken ?? null,
        input.tokens?.refreshToken ?? null,
        input.tokens?.keyId ?? null,
        input.tokens?.expiresAt ?? null,
        input.at,
        input.installedBy,
      ],
    );
    if (!found) throw new Error('installation belongs to another organization');
    return found;
  }

  /** Stores a refreshed (rotated) token pair. */
  async saveTokens(tx: SqlRunner, id: string, tokens: SealedTokens, at: Date): Promise<void> {
    await tx.query(
      `UPDATE installations SET access_token = $2, refresh_token = $3, token_key_id = $4,
         expires_at = $5, refreshed_at = $6, last_error = NULL, last_error_at = NULL, updated_at = $6
       WHERE id = $1`,
      [id, tokens.accessToken, tokens.refreshToken, tokens.keyId, tokens.expiresAt, at],
    );
  }

  async recordError(tx: SqlRunner, id: string, error: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE installations SET last_error = $2, last_error_at = $3, updated_at = $3 WHERE id = $1`,
      [id, error.slice(0, 500), at],
    );
  }

  /** Uninstalls (tokens dropped) the given installations. */
  async uninstall(tx: SqlRunner, ids: string[], at: Date): Promise<void> {
    await tx.query(
      `UPDATE installations SET status = 'UNINSTALLED', access_token = NULL, refresh_token = NULL,
         token_key_id = NULL, expires_at = NULL, uninstalled_at = $2, updated_at = $2
       WHERE id = ANY($1::uuid[])`,
      [ids, at],
    );
  }

  /**
   * The organization a GHL location or company is linked to, and whether it is active: found
   * outside any tenant through the directory's lookup policy (call it only for a GHL id named
   * by a verified webhook).
   */
  async directory(
    tx: SqlRunner,
    kind: GhlIdKind,
    ghlId: string,
  ): Promise<{ orgId: string; active: boolean } | undefined> {
    await setRlsSetting(tx as Pick<EntityManager, 'query'>, LOOKUP_SETTING, lookupKey(kind, ghlId));
    return row(
      tx,
      `SELECT org_id AS "orgId", active FROM ghl_directory WHERE kind = $1 AND ghl_id = $2`,
      [kind, ghlId],
    );
  }

  /** Links (or re-links, active or not) a GHL id to an organization. */
  async link(
    tx: SqlRunner,
    kind: GhlIdKind,
    ghlId: string,
    orgId: string,
    active: boolean,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ghl_directory (kind, ghl_id, org_id, active, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, ghl_id) DO UPDATE SET active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
       WHERE ghl_directory.org_id = EXCLUDED.org_id`,
      [kind, ghlId, orgId, active, at],
    );
  }
}
