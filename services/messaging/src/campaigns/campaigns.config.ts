import { env, z } from '@switchboard/config';

/** Campaigns' settings (spread into messaging's config). */
export const campaignsConfigShape = {
  /** Run the campaign runner (fan-out) in this process; replicas share its queue. */
  CAMPAIGN_RUNNER_ENABLED: env.bool(true),
  /** How often the runner looks for due campaigns (and the pacing step of a running one). */
  CAMPAIGN_POLL_INTERVAL_MS: env.int(1000).pipe(z.number().int().min(10).max(60_000)),
  /** The highest send rate a campaign may ask for (messages per minute). */
  CAMPAIGN_MAX_RATE_PER_MINUTE: env.int(6000).pipe(z.number().int().min(1).max(600_000)),
  /**
   * What one online phone can send a minute (segments): Android's 30. Only for test platforms
   * whose devices pace over a shortened window (PACING_WINDOW_MS): 30 per window, scaled to a
   * minute, or campaigns would run far below what the phones take.
   */
  CAMPAIGN_PHONE_SEGMENTS_PER_MINUTE: env.int(30).pipe(z.number().int().min(1).max(600_000)),
  /**
   * What one carrier sender number sends a second (segments) in the campaign rate cap: a US long
   * code's 1 MPS (Twilio, Telnyx). Raise it for toll-free or short-code accounts.
   */
  CAMPAIGN_CARRIER_SEGMENTS_PER_SECOND: env.int(1).pipe(z.number().int().min(1).max(10_000)),
};
