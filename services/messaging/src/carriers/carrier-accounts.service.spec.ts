import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxWriter } from '@switchboard/events';
import { SecretKeyring } from '@switchboard/service-kit';
import { ManualClock } from '@switchboard/testing';
import type { MessagingConfig } from '../config';
import type { CarrierAccountRecord } from './carrier.record';
import { CarrierAccountsService } from './carrier-accounts.service';
import type { CarriersRepository } from './carriers.repository';
import type { TelnyxAdapter } from './telnyx/telnyx.adapter';
import type { TwilioAdapter } from './twilio/twilio.adapter';

const ORG = '00000000-0000-4000-8000-000000000001';
const ID = '00000000-0000-4000-8000-0000000000c1';
const tx = {} as EntityManager;
const key = (n: number) => Buffer.alloc(32, n);
const credentials = {
  kind: 'TWILIO',
  accountSid: `AC${'1'.repeat(32)}`,
  authToken: 'a'.repeat(32),
  messagingServiceSid: null,
};

function setup(keyring: SecretKeyring, sealed: string) {
  const row: CarrierAccountRecord = {
    id: ID,
    orgId: ORG,
    kind: 'TWILIO',
    name: 'T',
    sealedCredentials: sealed,
    credentialsKeyId: keyring.keyIdOf(sealed),
    credentialHint: 'AC…1111',
    stickySender: false,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
  const repository = {
    findAccount: () => Promise.resolve(row),
    resealCredentials: jest.fn((_tx: EntityManager, _id: string, value: string, keyId: string) => {
      row.sealedCredentials = value;
      row.credentialsKeyId = keyId;
      return Promise.resolve();
    }),
  };
  const service = new CarrierAccountsService(
    {} as DataSource,
    {} as MessagingConfig,
    repository as unknown as CarriersRepository,
    keyring,
    {} as TwilioAdapter,
    {} as TelnyxAdapter,
    {} as OutboxWriter,
    new ManualClock(),
  );
  return { service, repository, row };
}

describe('CarrierAccountsService.secretsOf', () => {
  const aad = `carrier_accounts:${ID}:credentials`;

  it('opens credentials sealed with the current key and writes nothing', async () => {
    const keyring = new SecretKeyring({ k1: key(1) }, 'k1');
    const { service, repository } = setup(keyring, keyring.seal(JSON.stringify(credentials), aad));
    expect((await service.secretsOf(tx, ID))?.secrets).toEqual(credentials);
    expect(repository.resealCredentials).not.toHaveBeenCalled();
  });

  it('re-seals credentials sealed with a rotated-out key, with the current key id', async () => {
    const old = new SecretKeyring({ k1: key(1) }, 'k1');
    const rotated = new SecretKeyring({ k1: key(1), k2: key(2) }, 'k2');
    const { service, repository, row } = setup(rotated, old.seal(JSON.stringify(credentials), aad));
    const opened = await service.secretsOf(tx, ID);
    expect(opened?.secrets).toEqual(credentials);
    expect(repository.resealCredentials).toHaveBeenCalledTimes(1);
    expect(row.credentialsKeyId).toBe('k2');
    expect(rotated.isStale(row.sealedCredentials)).toBe(false);
    // The new value opens with k2 alone: k1 can leave the ring.
    const k2Only = new SecretKeyring({ k2: key(2) }, 'k2');
    expect(JSON.parse(k2Only.open(row.sealedCredentials, aad))).toEqual(credentials);
  });

  it('refuses credentials moved to another row (bound by the associated data)', async () => {
    const keyring = new SecretKeyring({ k1: key(1) }, 'k1');
    const other = keyring.seal(JSON.stringify(credentials), 'carrier_accounts:other:credentials');
    const { service } = setup(keyring, other);
    await expect(service.secretsOf(tx, ID)).rejects.toThrow();
  });
});
