/** Who the token speaks for: an agency (company) or one sub-account (location). */
export type GhlUserType = 'Company' | 'Location';
export type InstallationStatus = 'ACTIVE' | 'UNINSTALLED';

/** A row of `installations` (tokens still sealed). */
export interface InstallationRecord {
  id: string;
  orgId: string;
  userType: GhlUserType;
  companyId: string;
  locationId: string | null;
  parentId: string | null;
  status: InstallationStatus;
  scopes: string;
  accessToken: string | null;
  refreshToken: string | null;
  tokenKeyId: string | null;
  expiresAt: Date | null;
  refreshedAt: Date | null;
  installedAt: Date;
  uninstalledAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date;
}
