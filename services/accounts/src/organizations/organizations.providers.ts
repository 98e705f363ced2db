import { MembershipsRepository } from './memberships.repository';
import { MembershipsService } from './memberships.service';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsResolver } from './organizations.resolver';
import { OrganizationsService } from './organizations.service';

/** Organizations: settings, closure and reopening, and their roster (memberships). */
export const organizationsProviders = [
  OrganizationsRepository,
  MembershipsRepository,
  MembershipsService,
  OrganizationsService,
  OrganizationsResolver,
];
