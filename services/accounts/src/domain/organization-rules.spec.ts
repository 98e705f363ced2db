import {
  canCancelClosure,
  closure,
  isPurgeDue,
  isValidCountry,
  isValidTimezone,
} from './organization-rules';

const now = new Date('2030-01-01T00:00:00Z');
const day = 86_400_000;

describe('organization rules', () => {
  it('knows time zones and countries', () => {
    expect(isValidTimezone('America/New_York')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
    expect(isValidCountry('US')).toBe(true);
    expect(isValidCountry('BR')).toBe(true);
    expect(isValidCountry('us')).toBe(false);
    expect(isValidCountry('XX')).toBe(false);
    expect(isValidCountry('USA')).toBe(false);
  });

  it('closes an active organization for a purge 30 days out', () => {
    expect(closure('ACTIVE', now, 30)).toEqual({
      ok: true,
      purgeAt: new Date(now.getTime() + 30 * day),
    });
    expect(closure('PENDING_DELETION', now, 30)).toEqual({ ok: false });
    expect(closure('DELETED', now, 30)).toEqual({ ok: false });
  });

  it('cancels a closure only before the purge', () => {
    const purgeAt = new Date(now.getTime() + day);
    expect(canCancelClosure('PENDING_DELETION', purgeAt, now)).toBe(true);
    expect(canCancelClosure('PENDING_DELETION', purgeAt, new Date(purgeAt.getTime() + 1))).toBe(
      false,
    );
    expect(canCancelClosure('ACTIVE', null, now)).toBe(false);
    expect(canCancelClosure('DELETED', purgeAt, now)).toBe(false);
  });

  it('purges when due, once', () => {
    const purgeAt = new Date(now.getTime() + day);
    expect(isPurgeDue('PENDING_DELETION', purgeAt, now)).toBe(false);
    expect(isPurgeDue('PENDING_DELETION', purgeAt, purgeAt)).toBe(true);
    expect(isPurgeDue('DELETED', purgeAt, purgeAt)).toBe(false);
  });
});
