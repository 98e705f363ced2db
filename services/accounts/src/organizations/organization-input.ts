import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import {
  isValidCountry,
  isValidTimezone,
  ORGANIZATION_NAME_MAX,
} from '../domain/organization-rules';
import { slugFromName, slugProblem, slugProblemMessages } from '../domain/slug';

export function validName(name: string | undefined | null, what = 'organization name'): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length < 1 || trimmed.length > ORGANIZATION_NAME_MAX) {
    throw new AccountsException(
      AccountsErrorCode.INVALID_INPUT,
      `The ${what} must have 1 to ${ORGANIZATION_NAME_MAX} characters`,
      { details: { field: what } },
    );
  }
  return trimmed;
}

export function validSlug(slug: string): string {
  const problem = slugProblem(slug);
  if (problem) {
    throw new AccountsException(AccountsErrorCode.INVALID_SLUG, slugProblemMessages[problem], {
      details: { problem },
    });
  }
  return slug;
}

export function validTimezone(timezone: string): string {
  if (!isValidTimezone(timezone)) {
    throw new AccountsException(AccountsErrorCode.INVALID_TIMEZONE, 'Unknown IANA time zone');
  }
  return timezone;
}

export function validCountry(country: string): string {
  const upper = country.trim().toUpperCase();
  if (!isValidCountry(upper)) {
    throw new AccountsException(
      AccountsErrorCode.INVALID_COUNTRY,
      'The default country must be an ISO 3166-1 alpha-2 code with a phone numbering plan',
    );
  }
  return upper;
}

/** A new organization's settings, validated; the slug defaults to one made from the name. */
export function newOrganizationInput(input: {
  name: string;
  slug?: string | null;
  timezone?: string | null;
  defaultCountry?: string | null;
}) {
  const name = validName(input.name);
  return {
    name,
    slug: validSlug(input.slug?.trim() || slugFromName(name)),
    timezone: validTimezone(input.timezone?.trim() || 'UTC'),
    defaultCountry: validCountry(input.defaultCountry || 'US'),
  };
}
