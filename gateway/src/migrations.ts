import { rateLimitTableMigration } from '@switchboard/rate-limit';

/** The gateway's own database: the table its rate limits are counted in (rate_limit_hits). */
export const gatewayMigrations = [rateLimitTableMigration(1700000000000)];
