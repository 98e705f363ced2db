// Installing the app on one location the way a user does: the owner's authorize link, GHL's
// code on the callback.
import { randomUUID } from 'node:crypto';
import type { GhlTestServer } from './ghl-test-server';
import type { GhlSyncHarness } from './ghl-sync-harness';

export interface InstalledLocation {
  orgId: string;
  companyId: string;
  locationId: string;
}

export async function installLocation(
  h: GhlSyncHarness,
  ghl: GhlTestServer,
  orgId: string = randomUUID(),
): Promise<InstalledLocation> {
  const companyId = `co-${randomUUID().slice(0, 8)}`;
  const locationId = `loc-${randomUUID().slice(0, 8)}`;
  const owner = await h.owner(orgId);
  const { ghlInstallLink } = await owner.expectData<{ ghlInstallLink: { url: string } }>(
    'mutation { ghlInstallLink { url } }',
  );
  const state = new URL(ghlInstallLink.url).searchParams.get('state') ?? '';
  const code = ghl.authorizationCode({
    userType: 'Location',
    companyId,
    locationIds: [locationId],
  });
  const response = await fetch(
    `${h.baseUrl}/ghl/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
  );
  if (!response.ok) throw new Error(`install failed: ${response.status} ${await response.text()}`);
  return { orgId, companyId, locationId };
}
