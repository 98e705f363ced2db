import { ConfigError } from '@switchboard/config';
import { loadMessagingConfig } from '../config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://messaging_app:x@127.0.0.1:5432/messaging',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

const problems = (env: Record<string, string>): string => {
  try {
    loadMessagingConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
};

describe('carriers config', () => {
  it('defaults to the vendors’ APIs and the local service for callbacks', () => {
    expect(loadMessagingConfig(base)).toMatchObject({
      TWILIO_API_BASE_URL: 'https://api.twilio.com',
      TELNYX_API_BASE_URL: 'https://api.telnyx.com/v2',
      CARRIER_CALLBACK_BASE_URL: 'http://127.0.0.1:4103',
      CARRIER_CALLBACK_TOLERANCE_SECONDS: 300,
      CARRIER_MAX_TRIES: 5,
    });
  });

  it('takes base URLs without a trailing slash', () => {
    expect(
      loadMessagingConfig({
        ...base,
        TWILIO_API_BASE_URL: 'http://127.0.0.1:9999/',
        CARRIER_CALLBACK_BASE_URL: 'https://sb.example//',
      }),
    ).toMatchObject({
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9999',
      CARRIER_CALLBACK_BASE_URL: 'https://sb.example',
    });
  });

  it('fails at boot naming a bad URL or tolerance', () => {
    expect(problems({ TELNYX_API_BASE_URL: 'ftp://x' })).toMatch(/TELNYX_API_BASE_URL/);
    expect(problems({ CARRIER_CALLBACK_BASE_URL: 'https://x/?a=1' })).toMatch(
      /CARRIER_CALLBACK_BASE_URL/,
    );
    expect(problems({ CARRIER_CALLBACK_TOLERANCE_SECONDS: '5' })).toMatch(
      /CARRIER_CALLBACK_TOLERANCE_SECONDS/,
    );
  });

  it('requires an https callback URL in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toMatch(
      /CARRIER_CALLBACK_BASE_URL must be https in production/,
    );
    expect(
      problems({ NODE_ENV: 'production', CARRIER_CALLBACK_BASE_URL: 'https://sb.example' }),
    ).not.toMatch(/CARRIER_CALLBACK_BASE_URL/);
  });
});
