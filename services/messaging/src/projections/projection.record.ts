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

/** What compliance last published about one number of an organization (compliance.suppression.v1). */
export interface SuppressionProjection {
  phoneNumber: string;
  optedOut: boolean;
  optedOutChangedAt: Date | null;
  /** compliance ConsentSource names (INBOUND_KEYWORD, API, GHL, …). */
  optOutSource: string;
  consent: boolean;
  consentChangedAt: Date | null;
  dnd: boolean;
  /** compliance's version of the state: only a higher one replaces it. */
  version: bigint;
  updatedAt: Date | null;
}

/** An organization's sending rules from its compliance policy (compliance.policy.v1). */
export interface OrganizationPolicyProjection {
  quietHoursEnabled: boolean;
  windowStartMinute: number;
  windowEndMinute: number;
  transactionalAction: 'SEND' | 'REFUSE' | 'HOLD';
  applyStateRules: boolean;
  consentRequiredForCampaigns: boolean;
  version: bigint;
  updatedAt: Date | null;
}
