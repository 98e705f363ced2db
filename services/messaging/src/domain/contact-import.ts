import { normalizePhoneNumber } from './phone-number';

/** Why an import row was not taken as it was (the report's `reason`). */
export const IMPORT_ROW_REASONS = [
  'BAD_NUMBER',
  'MISSING_PHONE',
  'WRONG_COLUMN_COUNT',
  'BAD_ENCODING',
  'DUPLICATE',
  'MALFORMED_ROW',
  'BAD_VALUE',
] as const;
export type ImportRowReason = (typeof IMPORT_ROW_REASONS)[number];

/** One problem of one row: its number (the header is row 1), the column, why. */
export interface ImportRowProblem {
  row: number;
  column: string | null;
  reason: ImportRowReason;
  detail: string;
}

/** What a CSV row says about a contact, normalized. */
export interface ContactDraft {
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
  optIn: OptInEvidence | null;
}

export interface OptInEvidence {
  source: string | null;
  ip: string | null;
  at: Date | null;
  text: string | null;
}

/** Where each known field is in a row; every other column becomes an attribute. */
export interface HeaderMapping {
  width: number;
  phone: number;
  name: number | null;
  optInSource: number | null;
  optInIp: number | null;
  optInAt: number | null;
  optInText: number | null;
  /** column index → attribute name */
  attributes: Array<[number, string]>;
}

export const ATTRIBUTE_MAX_LENGTH = 500;
export const ATTRIBUTE_MAX_COLUMNS = 50;
const NAME_MAX_LENGTH = 200;
const OPT_IN_TEXT_MAX_LENGTH = 2000;

/** Header names each field is recognized by (after `headerKey`). */
const FIELD_NAMES = {
  phone: ['phone', 'phone_number', 'phonenumber', 'number', 'mobile', 'msisdn', 'to'],
  name: ['name', 'full_name', 'fullname'],
  optInSource: ['opt_in_source', 'optin_source', 'consent_source'],
  optInIp: ['opt_in_ip', 'optin_ip', 'consent_ip', 'ip'],
  optInAt: ['opt_in_at', 'opt_in_timestamp', 'optin_at', 'opt_in_time', 'consent_at'],
  optInText: ['opt_in_text', 'optin_text', 'consent_text'],
} as const;
type Field = keyof typeof FIELD_NAMES;

/** `Opt-In Source` → `opt_in_source`: how header cells are compared. */
export function headerKey(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_')
    .replace(/[^a-z0-9_]/g, '');
}

/**
 * `,` or `;`: the one of the two found more often outside quotes in the first line (the header),
 * `,` when neither (a one-column file) or a tie.
 */
export function sniffDelimiter(firstLine: string): ',' | ';' {
  let quoted = false;
  let commas = 0;
  let semicolons = 0;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas += 1;
    else if (!quoted && ch === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

export type HeaderCheck = { ok: true; mapping: HeaderMapping } | { ok: false; reason: string };

/** Maps the header row: the phone column is required; unknown columns become attributes. */
export function mapHeader(header: string[]): HeaderCheck {
  const found: Partial<Record<Field, number>> = {};
  const attributes: Array<[number, string]> = [];
  const seen = new Set<string>();
  for (const [index, cell] of header.entries()) {
    const key = headerKey(cell);
    if (!key) return { ok: false, reason: `column ${index + 1} has no name` };
    if (seen.has(key)) return { ok: false, reason: `column "${key}" appears twice` };
    seen.add(key);
    const field = (Object.keys(FIELD_NAMES) as Field[]).find(
      (f) => found[f] === undefined && (FIELD_NAMES[f] as readonly string[]).includes(key),
    );
    if (field) found[field] = index;
    else attributes.push([index, key]);
  }
  if (found.phone === undefined) {
    return { ok: false, reason: `no phone column (one of: ${FIELD_NAMES.phone.join(', ')})` };
  }
  if (attributes.length > ATTRIBUTE_MAX_COLUMNS) {
    return { ok: false, reason: `more than ${ATTRIBUTE_MAX_COLUMNS} attribute columns` };
  }
  return {
    ok: true,
    mapping: {
      width: header.length,
      phone: found.phone,
      name: found.name ?? null,
      optInSource: found.optInSource ?? null,
      optInIp: found.optInIp ?? null,
      optInAt: found.optInAt ?? null,
      optInText: found.optInText ?? null,
      attributes,
    },
  };
}

export type RowCheck =
  { ok: true; contact: ContactDraft } | { ok: false; problems: ImportRowProblem[] };

/**
 * One data row (`row`: its number, the header being 1) read with the header's mapping: the
 * number normalized in `defaultCountry`, empty cells left out, every problem named. A cell
 * holding U+FFFD was not valid UTF-8 in the file (the decoder replaced it): BAD_ENCODING.
 */
export function readContactRow(
  cells: string[],
  row: number,
  mapping: HeaderMapping,
  defaultCountry: string,
  columnName: (index: number) => string,
): RowCheck {
  const problems: ImportRowProblem[] = [];
  const problem = (index: number | null, reason: ImportRowReason, detail: string) =>
    problems.push({ row, column: index === null ? null : columnName(index), reason, detail });
  if (cells.length !== mapping.width) {
    problem(null, 'WRONG_COLUMN_COUNT', `${cells.length} columns, the header has ${mapping.width}`);
    return { ok: false, problems };
  }
  for (const [index, cell] of cells.entries()) {
    if (cell.includes('\uFFFD')) problem(index, 'BAD_ENCODING', 'not valid UTF-8');
  }
  if (problems.length) return { ok: false, problems };
  const text = (index: number | null) => {
    const value = index === null ? '' : cells[index].trim();
    return value === '' ? null : value;
  };
  const phoneText = text(mapping.phone);
  let phoneNumber = '';
  if (phoneText === null) problem(mapping.phone, 'MISSING_PHONE', 'no phone number');
  else {
    const parsed = normalizePhoneNumber(phoneText, defaultCountry);
    if (parsed.ok) phoneNumber = parsed.e164;
    else problem(mapping.phone, 'BAD_NUMBER', parsed.reason);
  }
  const name = text(mapping.name);
  if (name !== null && name.length > NAME_MAX_LENGTH) {
    problem(mapping.name, 'BAD_VALUE', `longer than ${NAME_MAX_LENGTH} characters`);
  }
  const attributes: Record<string, string> = {};
  for (const [index, key] of mapping.attributes) {
    const value = text(index);
    if (value === null) continue;
    if (value.length > ATTRIBUTE_MAX_LENGTH) {
      problem(index, 'BAD_VALUE', `longer than ${ATTRIBUTE_MAX_LENGTH} characters`);
    } else attributes[key] = value;
  }
  const optIn = readOptIn(mapping, text, problem);
  if (problems.length) return { ok: false, problems };
  return { ok: true, contact: { phoneNumber, name, attributes, optIn } };
}

function readOptIn(
  mapping: HeaderMapping,
  text: (index: number | null) => string | null,
  problem: (index: number | null, reason: ImportRowReason, detail: string) => void,
): OptInEvidence | null {
  const source = text(mapping.optInSource);
  const ip = text(mapping.optInIp);
  const atText = text(mapping.optInAt);
  const optInText = text(mapping.optInText);
  if (source === null && ip === null && atText === null && optInText === null) return null;
  if (ip !== null && !isIpAddress(ip)) problem(mapping.optInIp, 'BAD_VALUE', 'not an IP address');
  let at: Date | null = null;
  if (atText !== null) {
    const parsed = /^\d{4}-\d{2}-\d{2}/.test(atText) ? new Date(atText) : new Date(NaN);
    if (Number.isNaN(parsed.getTime())) {
      problem(mapping.optInAt, 'BAD_VALUE', 'not an ISO 8601 date or time');
    } else at = parsed;
  }
  if (optInText !== null && optInText.length > OPT_IN_TEXT_MAX_LENGTH) {
    problem(mapping.optInText, 'BAD_VALUE', `longer than ${OPT_IN_TEXT_MAX_LENGTH} characters`);
  }
  return { source, ip, at, text: optInText };
}

function isIpAddress(value: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(value)) {
    return value.split('.').every((part) => Number(part) <= 255);
  }
  return /^[0-9a-f:]+$/i.test(value) && value.includes(':') && value.length <= 45;
}

/**
 * Two rows of one file for the same number: the later one is merged into the contact (its
 * non-empty cells win, attributes are merged) and reported as DUPLICATE of the first.
 */
export function mergeDrafts(first: ContactDraft, later: ContactDraft): ContactDraft {
  return {
    phoneNumber: first.phoneNumber,
    name: later.name ?? first.name,
    attributes: { ...first.attributes, ...later.attributes },
    optIn: later.optIn ?? first.optIn,
  };
}

export function duplicateProblem(row: number, firstRow: number, column: string): ImportRowProblem {
  return {
    row,
    column,
    reason: 'DUPLICATE',
    detail: `same number as row ${firstRow}; merged into it`,
  };
}
