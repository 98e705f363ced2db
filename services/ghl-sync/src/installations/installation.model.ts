import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { InstallationRecord } from './installation.record';

export enum GhlInstallationStatusModel {
  ACTIVE = 'ACTIVE',
  UNINSTALLED = 'UNINSTALLED',
}
registerEnumType(GhlInstallationStatusModel, {
  name: 'GhlInstallationStatus',
  description: 'ACTIVE: GHL traffic flows. UNINSTALLED: the app was removed; nothing is sent.',
});

export enum GhlInstallationKindModel {
  COMPANY = 'COMPANY',
  LOCATION = 'LOCATION',
}
registerEnumType(GhlInstallationKindModel, {
  name: 'GhlInstallationKind',
  description:
    'COMPANY: an agency install (location tokens are minted from it). LOCATION: one sub-account.',
});

@ObjectType('GhlInstallation', {
  description: 'The Switchboard marketplace app installed on a GHL agency or location.',
})
export class GhlInstallationModel {
  @Field(() => ID) id!: string;
  @Field(() => GhlInstallationKindModel) kind!: GhlInstallationKindModel;
  @Field({ description: 'The GHL company (agency) id.' }) companyId!: string;
  @Field(() => String, { nullable: true, description: 'The GHL location (sub-account) id.' })
  locationId!: string | null;
  @Field(() => GhlInstallationStatusModel) status!: GhlInstallationStatusModel;
  @Field({ description: 'The OAuth scopes granted (space-separated).' }) scopes!: string;
  @Field(() => Date, { nullable: true, description: 'When the current access token expires.' })
  tokenExpiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) tokenRefreshedAt!: Date | null;
  @Field(() => Date) installedAt!: Date;
  @Field(() => Date, { nullable: true }) uninstalledAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The last error talking to GHL.' })
  lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastErrorAt!: Date | null;
  @Field(() => [GhlInstallationModel], {
    description: 'For an agency install: the locations installed under it.',
  })
  locations!: GhlInstallationModel[];
}

export function toGhlInstallation(
  record: InstallationRecord,
  all: InstallationRecord[] = [],
): GhlInstallationModel {
  return {
    id: record.id,
    kind:
      record.userType === 'Company'
        ? GhlInstallationKindModel.COMPANY
        : GhlInstallationKindModel.LOCATION,
    companyId: record.companyId,
    locationId: record.locationId,
    status: record.status as GhlInstallationStatusModel,
    scopes: record.scopes,
    tokenExpiresAt: record.expiresAt,
    tokenRefreshedAt: record.refreshedAt,
    installedAt: record.installedAt,
    uninstalledAt: record.uninstalledAt,
    lastError: record.lastError,
    lastErrorAt: record.lastErrorAt,
    locations:
      record.userType === 'Company'
        ? all.filter((r) => r.parentId === record.id).map((r) => toGhlInstallation(r))
        : [],
  };
}

/** Agencies with their locations nested, plus locations installed on their own. */
export function toGhlInstallations(all: InstallationRecord[]): GhlInstallationModel[] {
  const companies = new Set(all.filter((r) => r.userType === 'Company').map((r) => r.id));
  return all
    .filter((r) => r.userType === 'Company' || !r.parentId || !companies.has(r.parentId))
    .map((r) => toGhlInstallation(r, all));
}

@ObjectType('GhlInstallLink', {
  description: "GHL's authorize link with a signed, expiring state.",
})
export class GhlInstallLinkModel {
  @Field() url!: string;
  @Field(() => Date) expiresAt!: Date;
}
