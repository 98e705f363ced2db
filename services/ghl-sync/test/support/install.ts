// Installing the app on one location the way a user does: the owner's authorize link, GHL's
// code on the callback.
import { randomUUID } from 'node:crypto';
import { GhlTestServer } from './ghl-test-server';
import { startGhlSyncHarness, type GhlSyncHarness } from './ghl-sync-harness';

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

export interface InstalledFixture {
  ghl: GhlTestServer;
  h: GhlSyncHarness;
  location: InstalledLocation;
  close(): Promise<void>;
}

/**
 * A local GHL (`configure` sets it up before anything calls it), the service against it with
 * `env`, and one location installed: the shared setup of the specs that drive an installation.
 */
export async function startInstalledLocation(
  env: Record<string, string> = {},
  configure: (ghl: GhlTestServer) => void = () => undefined,
): Promise<InstalledFixture> {
  const ghl = await new GhlTestServer().start();
  configure(ghl);
  let h: GhlSyncHarness | undefined;
  try {
    h = await startGhlSyncHarness({ ...ghl.env(), ...env });
    const location = await installLocation(h, ghl);
    const harness = h;
    return {
      ghl,
      h,
      location,
      async close() {
        await harness.close();
        await ghl.stop();
      },
    };
  } catch (error) {
    await h?.close();
    await ghl.stop();
    throw error;
  }
}
