import { rateLimitTableMigration } from '@switchboard/rate-limit';

/**
 * The limiter table of @switchboard/rate-limit (registrations per IP and per enrollment token,
 * device API requests per device): in PostgreSQL, so every replica counts the same requests.
 */
export const RateLimits1720000000003 = rateLimitTableMigration(1720000000003);
