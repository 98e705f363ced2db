import { OrganizationPurgeJob } from './organization-purge.job';
import { PurgeRepository } from './purge.repository';

/** The purge of closed organizations and the hourly housekeeping. */
export const purgeProviders = [PurgeRepository, OrganizationPurgeJob];
