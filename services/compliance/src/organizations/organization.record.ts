/** A row of `organizations`. */
export interface OrganizationRecord {
  orgId: string;
  name: string;
  slug: string;
  closedAt: Date | null;
}
