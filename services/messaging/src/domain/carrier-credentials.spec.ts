import { checkCredentials, credentialHint } from './carrier-credentials';

const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'f'.repeat(32);
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('carrier credentials', () => {
  it('accepts Twilio credentials, trimmed, with an optional messaging service', () => {
    expect(
      checkCredentials('TWILIO', {
        twilio: { accountSid: ` ${SID} `, authToken: TOKEN, messagingServiceSid: '' },
      }),
    ).toEqual({
      credentials: { kind: 'TWILIO', accountSid: SID, authToken: TOKEN, messagingServiceSid: null },
    });
    const mg = `MG${'0'.repeat(32)}`;
    expect(
      checkCredentials('TWILIO', {
        twilio: { accountSid: SID, authToken: TOKEN, messagingServiceSid: mg },
      }),
    ).toMatchObject({ credentials: { messagingServiceSid: mg } });
  });

  it.each([
    [{ twilio: { accountSid: 'AC123', authToken: TOKEN } }, 'accountSid'],
    [{ twilio: { accountSid: SID, authToken: 'short' } }, 'authToken'],
    [
      { twilio: { accountSid: SID, authToken: TOKEN, messagingServiceSid: 'PN1' } },
      'messagingServiceSid',
    ],
    [{}, 'twilio'],
    [
      {
        twilio: { accountSid: SID, authToken: TOKEN },
        telnyx: { apiKey: 'KEY0123456789ABCDEFGHIJ', webhookPublicKey: KEY },
      },
      'twilio',
    ],
  ])('refuses bad Twilio input %#', (input, word) => {
    const result = checkCredentials('TWILIO', input);
    expect(result).toHaveProperty('problem');
    expect((result as { problem: string }).problem).toContain(word);
  });

  it('accepts Telnyx credentials and refuses a key that is not 32 bytes of base64', () => {
    const apiKey = 'KEY0123456789ABCDEFGHIJ_abc';
    const profile = '4001767e-ce0f-4cae-9d5f-0d5e636e7809';
    expect(
      checkCredentials('TELNYX', {
        telnyx: { apiKey, webhookPublicKey: KEY, messagingProfileId: profile.toUpperCase() },
      }),
    ).toEqual({
      credentials: { kind: 'TELNYX', apiKey, webhookPublicKey: KEY, messagingProfileId: profile },
    });
    expect(
      checkCredentials('TELNYX', {
        telnyx: { apiKey, webhookPublicKey: Buffer.alloc(31).toString('base64') },
      }),
    ).toHaveProperty('problem');
    expect(
      checkCredentials('TELNYX', {
        telnyx: { apiKey, webhookPublicKey: KEY, messagingProfileId: 'nope' },
      }),
    ).toHaveProperty('problem');
    expect(
      checkCredentials('TELNYX', { telnyx: { apiKey: 'x', webhookPublicKey: KEY } }),
    ).toHaveProperty('problem');
  });

  it('hints at the account without showing a secret', () => {
    expect(
      credentialHint({
        kind: 'TWILIO',
        accountSid: SID,
        authToken: TOKEN,
        messagingServiceSid: null,
      }),
    ).toBe(`AC…${SID.slice(-4)}`);
    const hint = credentialHint({
      kind: 'TELNYX',
      apiKey: 'KEY0123456789ABCDEFGHIJ_wxyz',
      webhookPublicKey: KEY,
      messagingProfileId: null,
    });
    expect(hint).toBe('KEY…wxyz');
  });
});
