import type { PolicySettings } from '../domain/policy';

/** A row of `organization_policies`. */
export interface PolicyRecord extends PolicySettings {
  orgId: string;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}
