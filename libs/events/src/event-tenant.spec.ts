import type { EntityManager } from 'typeorm';
import { CommonErrorCode, dispositionOf } from '@switchboard/errors';
import { markConsumerTenant } from './consumer-tenant';
import { enterEventTenant, eventTenant, optionalEventTenant } from './event-tenant';

const ORG = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const OTHER = '9b2f1f3e-8c4d-4e5f-9a6b-7c8d9e0f1a2b';
const event = (orgId?: string) => ({ id: 'e-1', topic: 'devices.dispatch.v1', orgId });

function fakeTx() {
  const queries: { sql: string; parameters?: unknown[] }[] = [];
  const tx = {
    query: async (sql: string, parameters?: unknown[]) => {
      queries.push({ sql, parameters });
      return [];
    },
  } as unknown as EntityManager;
  return { tx, queries };
}

/** The error `fn` throws, checked to be a poison message the consumer dead-letters. */
function poison(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(dispositionOf(error)).toBe('dead-letter');
    return error as { code: string; message: string };
  }
  throw new Error('expected a poison-message error');
}

describe('eventTenant: the tenant comes from ce_orgid', () => {
  it('is the envelope organization, lower-cased, when the payload agrees (in any case)', () => {
    expect(eventTenant(event(ORG), ORG)).toBe(ORG);
    expect(eventTenant(event(ORG.toUpperCase()), ORG)).toBe(ORG);
    expect(eventTenant(event(ORG), ORG.toUpperCase())).toBe(ORG);
    expect(eventTenant(event(ORG))).toBe(ORG); // a payload without an organization field
  });

  it('refuses a payload organization that disagrees with the envelope', () => {
    const error = poison(() => eventTenant(event(ORG), OTHER));
    expect(error.code).toBe(CommonErrorCode.INVALID_EVENT);
    expect(error.message).toMatch(/different organizations/);
    expect(poison(() => eventTenant(event(ORG), '')).code).toBe(CommonErrorCode.INVALID_EVENT);
    expect(poison(() => eventTenant(event(ORG), 'not-a-uuid')).code).toBe('INVALID_EVENT');
  });

  it('refuses a tenant event without ce_orgid, even when the payload names an organization', () => {
    const error = poison(() => eventTenant(event(undefined), ORG));
    expect(error.code).toBe(CommonErrorCode.INVALID_EVENT);
    expect(error.message).toMatch(/no ce_orgid/);
    expect(poison(() => eventTenant(event(''), ORG)).code).toBe('INVALID_EVENT');
  });

  it('refuses a ce_orgid that is not a uuid', () => {
    expect(poison(() => eventTenant(event('acme'), 'acme')).code).toBe('INVALID_EVENT');
  });
});

describe('enterEventTenant', () => {
  it("sets the envelope's tenant on the consumer's transaction and returns it", async () => {
    const { tx, queries } = fakeTx();
    await expect(enterEventTenant(tx, event(ORG.toUpperCase()), ORG)).resolves.toBe(ORG);
    expect(queries).toEqual([
      { sql: expect.stringContaining('set_config') as string, parameters: [ORG] },
    ]);
  });

  it('sets nothing when the consumer has just set that tenant, once (issue 17)', async () => {
    const { tx, queries } = fakeTx();
    markConsumerTenant(tx, ORG);
    await expect(enterEventTenant(tx, event(ORG.toUpperCase()), ORG)).resolves.toBe(ORG);
    expect(queries).toEqual([]);
    // A second handler of the same event (which may have moved the tenant) sets it again.
    await enterEventTenant(tx, event(ORG), ORG);
    expect(queries).toEqual([
      { sql: expect.stringContaining('set_config') as string, parameters: [ORG] },
    ]);
  });

  it('sets the tenant when the consumer set another one', async () => {
    const { tx, queries } = fakeTx();
    markConsumerTenant(tx, OTHER);
    await enterEventTenant(tx, event(ORG), ORG);
    expect(queries).toEqual([
      { sql: expect.stringContaining('set_config') as string, parameters: [ORG] },
    ]);
  });

  it('touches nothing when the event is refused', async () => {
    const { tx, queries } = fakeTx();
    await expect(enterEventTenant(tx, event(undefined), ORG)).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    await expect(enterEventTenant(tx, event(ORG), OTHER)).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    expect(queries).toEqual([]);
  });
});

describe('optionalEventTenant (platform-level events)', () => {
  it('is undefined for an event of no tenant', () => {
    expect(optionalEventTenant(event(undefined))).toBeUndefined();
    expect(optionalEventTenant(event(undefined), '')).toBeUndefined();
  });

  it('is the envelope tenant when there is one', () => {
    expect(optionalEventTenant(event(ORG), ORG)).toBe(ORG);
    expect(optionalEventTenant(event(ORG), '')).toBe(ORG);
    expect(optionalEventTenant(event(ORG))).toBe(ORG);
  });

  it('still refuses contradictions', () => {
    expect(poison(() => optionalEventTenant(event(ORG), OTHER)).code).toBe('INVALID_EVENT');
    expect(poison(() => optionalEventTenant(event(undefined), ORG)).code).toBe('INVALID_EVENT');
  });
});
