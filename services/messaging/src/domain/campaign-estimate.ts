/** One rendered recipient of a campaign preview's estimate sample. */
export interface EstimateSample {
  /** SMS segments of the text rendered for the recipient. */
  segments: number;
  /** The recipient number's country (ISO 3166 alpha-2), null when unknown. */
  country: string | null;
}

/** What a campaign will send, estimated for billing's price book (the preview's cost). */
export interface CampaignSendEstimate {
  /** SMS segments in all, for `recipients` recipients. */
  segments: number;
  /** MMS messages in all (a campaign sends text only today: 0). */
  mms: number;
  /** The most common destination country of the sample (the price book's key); null: none. */
  destinationCountry: string | null;
}

/**
 * The campaign's segments for `recipients` recipients, from a sample of rendered recipients
 * (placeholders make the length differ per recipient): the sample's mean times the recipients,
 * rounded up — exact when the sample is every recipient. The country is the sample's most
 * common one (ties: the first seen).
 */
export function estimateCampaignSends(
  sample: readonly EstimateSample[],
  recipients: number,
): CampaignSendEstimate {
  if (sample.length === 0 || recipients <= 0) {
    return { segments: 0, mms: 0, destinationCountry: sample[0]?.country ?? null };
  }
  const total = sample.reduce((sum, s) => sum + s.segments, 0);
  const segments =
    sample.length === recipients ? total : Math.ceil((total * recipients) / sample.length);
  const counts = new Map<string, number>();
  let destinationCountry: string | null = null;
  let best = 0;
  for (const { country } of sample) {
    if (!country) continue;
    const n = (counts.get(country) ?? 0) + 1;
    counts.set(country, n);
    if (n > best) {
      best = n;
      destinationCountry = country;
    }
  }
  return { segments, mms: 0, destinationCountry };
}
