// The committed subgraph SDL (services/ghl-sync/schema.graphql; UPDATE_SDL=1 rewrites it) and
// the installations query as an owner sees it.
import { randomUUID } from 'node:crypto';
import { expectCommittedSubgraphSchema } from '@switchboard/testing';
import { startGhlSyncHarness, type GhlSyncHarness } from './support/ghl-sync-harness';

describe('ghl-sync subgraph', () => {
  let h: GhlSyncHarness;

  beforeAll(async () => {
    h = await startGhlSyncHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('matches the committed subgraph schema', async () => {
    await expectCommittedSubgraphSchema(h.graphql(), 'ghl-sync');
  });

  it('lists no installation for a new organization, and refuses anonymous callers', async () => {
    const owner = await h.owner(randomUUID());
    expect(
      await owner.expectData<{ ghlInstallations: unknown[] }>('{ ghlInstallations { id } }'),
    ).toEqual({ ghlInstallations: [] });
    expect(await h.graphql().errorCodes('{ ghlInstallations { id } }')).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});
