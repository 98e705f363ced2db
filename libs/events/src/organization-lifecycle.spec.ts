import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import { accountsV1 } from '@switchboard/contracts';
import type { ConsumedEvent } from './event-consumer';
import { applyOrganizationEvent, type OrganizationLifecycle } from './organization-lifecycle';

const ORG = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const OTHER = '9b2f1f3e-8c4d-4e5f-9a6b-7c8d9e0f1a2b';

function consumed(
  event: MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event'],
  ceOrgId: string = ORG,
): ConsumedEvent<typeof accountsV1.OrganizationEventSchema> {
  return {
    id: 'e-1',
    type: 't',
    source: '/switchboard/accounts',
    topic: 'accounts.organization.v1',
    partition: 0,
    offset: '0',
    orgId: ceOrgId,
    headers: {},
    message: create(accountsV1.OrganizationEventSchema, { orgId: ORG, event }),
  };
}

function setup() {
  const queries: unknown[][] = [];
  const tx = {
    query: async (_sql: string, parameters?: unknown[]) => {
      queries.push(parameters ?? []);
      return [];
    },
  } as unknown as EntityManager;
  const calls: string[] = [];
  const step = (name: string) => async (_tx: EntityManager, orgId: string, extra?: unknown) => {
    calls.push(extra ? `${name} ${orgId} ${JSON.stringify(extra)}` : `${name} ${orgId}`);
  };
  const lifecycle: Required<OrganizationLifecycle> = {
    register: step('register'),
    close: step('close'),
    reopen: step('reopen'),
    purge: step('purge'),
  };
  return { tx, queries, calls, lifecycle };
}

describe('applyOrganizationEvent', () => {
  it('enters the tenant, then calls the one step the event names', async () => {
    const { tx, queries, calls, lifecycle } = setup();
    const organization = { orgId: ORG, name: 'Acme', slug: 'acme' };
    await applyOrganizationEvent(
      tx,
      consumed({ case: 'created', value: { organization } }),
      lifecycle,
    );
    await applyOrganizationEvent(
      tx,
      consumed({ case: 'updated', value: { organization } }),
      lifecycle,
    );
    await applyOrganizationEvent(tx, consumed({ case: 'deletionScheduled', value: {} }), lifecycle);
    await applyOrganizationEvent(tx, consumed({ case: 'deletionCanceled', value: {} }), lifecycle);
    await applyOrganizationEvent(tx, consumed({ case: 'deleted', value: {} }), lifecycle);
    expect(calls).toEqual([
      `register ${ORG} {"name":"Acme","slug":"acme"}`,
      `register ${ORG} {"name":"Acme","slug":"acme"}`,
      `close ${ORG}`,
      `reopen ${ORG}`,
      `purge ${ORG}`,
    ]);
    expect(queries.every((parameters) => parameters.includes(ORG))).toBe(true);
  });

  it('skips registration for a service without it', async () => {
    const { tx, calls, lifecycle } = setup();
    const { register: _register, ...withoutRegister } = lifecycle;
    await applyOrganizationEvent(
      tx,
      consumed({ case: 'created', value: { organization: { orgId: ORG, name: 'Acme' } } }),
      withoutRegister,
    );
    expect(calls).toEqual([]);
  });

  it('refuses an event whose payload names another organization than ce_orgid', async () => {
    const { tx, calls, lifecycle } = setup();
    await expect(
      applyOrganizationEvent(tx, consumed({ case: 'deleted', value: {} }, OTHER), lifecycle),
    ).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(calls).toEqual([]);
  });
});
