import { eventTablesMigration } from '@switchboard/service-kit';
import { GhlSyncCore1750000000000 } from './1750000000000-ghl-sync-core';
import { GhlRateBuckets1750000000001 } from './1750000000001-rate-buckets';
import { ProviderContacts1750000000002 } from './1750000000002-provider-contacts';
import { GhlRetention1750000000003 } from './1750000000003-retention';
import { GhlPrivacy1750000000004 } from './1750000000004-privacy';

/** Every migration of the service, in order (ghl-sync's own block: 1750000000xxx). */
export const migrations = [
  eventTablesMigration(),
  GhlSyncCore1750000000000,
  GhlRateBuckets1750000000001,
  ProviderContacts1750000000002,
  GhlRetention1750000000003,
  GhlPrivacy1750000000004,
];
