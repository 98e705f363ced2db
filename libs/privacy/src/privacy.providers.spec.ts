import type { ClassProvider, FactoryProvider, Provider } from '@nestjs/common';
import { PRIVACY_OPTIONS } from './privacy-config';
import { PRIVACY_PARTICIPANT, type PrivacyParticipant } from './privacy-participant';
import { privacyProviders, servicePrivacyProviders } from './privacy.providers';

const CONFIG = Symbol('CONFIG');
class Participant {}

const find = (providers: Provider[], token: symbol) =>
  providers.find((p) => (p as { provide?: unknown }).provide === token);

describe('servicePrivacyProviders', () => {
  it("lists the kit's providers, the participant and the options from the config", () => {
    const providers = servicePrivacyProviders({
      service: 'devices',
      config: CONFIG,
      participant: Participant as unknown as new () => PrivacyParticipant,
    });
    for (const kit of privacyProviders) expect(providers).toContain(kit);
    expect((find(providers, PRIVACY_PARTICIPANT) as ClassProvider).useClass).toBe(Participant);
    const options = find(providers, PRIVACY_OPTIONS) as FactoryProvider;
    expect(options.inject).toEqual([CONFIG]);
    expect(
      options.useFactory({
        DATABASE_URL: 'postgres://x@db/devices',
        PRIVACY_WORKER_ENABLED: true,
        PRIVACY_WORKER_INTERVAL_MS: 1000,
        PRIVACY_PAGE_SIZE: 100,
      }),
    ).toMatchObject({ service: 'devices' });
  });
});
