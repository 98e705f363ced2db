import type { OrganizationStatus } from '../domain/organization-rules';

export interface OrganizationRecord {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  defaultCountry: string;
  status: OrganizationStatus;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  purgeAt: Date | null;
  deletedAt: Date | null;
}

/** An `organizations` row as selected. */
export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  default_country: string;
  status: OrganizationStatus;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  purge_at: Date | null;
  deleted_at: Date | null;
}

export function toOrganization(r: OrganizationRow): OrganizationRecord {
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    timezone: r.timezone,
    defaultCountry: r.default_country,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    purgeAt: r.purge_at,
    deletedAt: r.deleted_at,
  };
}
