/**
 * The row-level security setting that shows one `ghl_directory` row outside its tenant: its
 * '<kind>:<ghl id>' (set only after a webhook's signature was verified).
 */
export const LOOKUP_SETTING = 'app.ghl_lookup';

export type GhlIdKind = 'LOCATION' | 'COMPANY';

export const lookupKey = (kind: GhlIdKind, ghlId: string): string => `${kind}:${ghlId}`;
