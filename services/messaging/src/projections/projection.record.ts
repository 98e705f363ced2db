/** What messaging knows about an organization (from accounts.organization.v1). */
export interface OrganizationProjection {
  orgId: string;
  slug: string;
  name: string;
  timezone: string | null;
  /** ACTIVE, SUSPENDED, DELETION_SCHEDULED, DELETED (accountsV1.OrganizationStatus names). */
  status: string;
  /** ISO 3166-1 alpha-2, or null when accounts did not say. */
  defaultCountry: string | null;
}

export interface SimProjection {
  slot: number;
  operator: string;
  maskedNumber: string;
}

/** What messaging knows about a device (from devices.device.v1). */
export interface DeviceProjection {
  deviceId: string;
  name: string;
  /** ONLINE, OFFLINE, DISABLED, QUARANTINED (devicesV1.DeviceStatus names) or UNSPECIFIED. */
  status: string;
  sims: SimProjection[];
  removed: boolean;
}
