import { loadGhlSyncConfig } from './config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://ghl_sync_app:x@127.0.0.1:5432/ghl_sync',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('ghl-sync config', () => {
  it('has the port of tools/services.txt, its own group and the spec Version headers', () => {
    expect(loadGhlSyncConfig(base)).toMatchObject({
      PORT: 4106,
      KAFKA_GROUP_ID: 'ghl-sync',
      GHL_VERSION_CONVERSATIONS: '2021-04-15',
      GHL_VERSION_CONTACTS: '2021-07-28',
      GHL_VERSION_OAUTH: '2021-07-28',
      GHL_RATE_BURST: 100,
      GHL_RATE_INTERVAL_MS: 10_000,
      GHL_RATE_DAILY: 200_000,
      GHL_ACCEPT_LEGACY_RSA_SIGNATURE: false,
    });
  });

  it('stops at boot naming a missing or bad variable', () => {
    const { DATABASE_URL: _missing, ...noDatabase } = base;
    expect(() => loadGhlSyncConfig(noDatabase)).toThrow(/DATABASE_URL/);
    expect(() => loadGhlSyncConfig({ ...base, GHL_VERSION_CONVERSATIONS: 'latest' })).toThrow(
      /GHL_VERSION_CONVERSATIONS/,
    );
    expect(() => loadGhlSyncConfig({ ...base, GHL_ACCEPT_LEGACY_RSA_SIGNATURE: 'true' })).toThrow(
      /GHL_WEBHOOK_RSA_PUBLIC_KEY is required/,
    );
  });

  it('requires the app secrets, the webhook key and the keyring in production', () => {
    const run = () => loadGhlSyncConfig({ ...base, NODE_ENV: 'production' });
    for (const name of [
      'GHL_CLIENT_SECRET',
      'GHL_WEBHOOK_PUBLIC_KEY',
      'GHL_STATE_SECRET',
      'SECRET_KEYS',
    ]) {
      expect(run).toThrow(new RegExp(`${name} is required in production`));
    }
  });
});
