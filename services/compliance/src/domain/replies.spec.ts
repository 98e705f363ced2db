import { DEFAULT_REPLIES, replyIdempotencyKey, replyText, replyValidUntil } from './replies';

const none = { stopReply: null, startReply: null, helpReply: null };

describe('keyword replies', () => {
  it('says who is writing, how to opt out and that rates may apply (CTIA)', () => {
    expect(replyText('OPT_OUT', 'Acme Dental', none)).toBe(
      'Acme Dental: You are unsubscribed and will receive no more messages. Reply START to resubscribe.',
    );
    const help = replyText('HELP', 'Acme Dental', none);
    expect(help).toMatch(/^Acme Dental: /);
    expect(help).toMatch(/Reply STOP to unsubscribe/);
    expect(help).toMatch(/Msg&data rates may apply/);
    expect(replyText('OPT_IN', 'Acme Dental', null)).toMatch(/Reply STOP to unsubscribe/);
  });

  it("uses the organization's own texts, with its name for {{organization}}", () => {
    expect(
      replyText('HELP', 'Acme', {
        ...none,
        helpReply: 'Call {{ organization }} at 555-0100. Reply STOP to opt out.',
      }),
    ).toBe('Call Acme at 555-0100. Reply STOP to opt out.');
    expect(replyText('OPT_OUT', 'Acme', { ...none, helpReply: 'x' })).toBe(
      DEFAULT_REPLIES.OPT_OUT.replace('{{organization}}', 'Acme'),
    );
  });

  it('names the platform when the organization has no name yet', () => {
    expect(replyText('OPT_OUT', '  ', none)).toMatch(/^Switchboard: /);
  });

  it('keys a reply by its inbound message, so a replay sends nothing twice', () => {
    expect(replyIdempotencyKey('m-1')).toBe(replyIdempotencyKey('m-1'));
    expect(replyIdempotencyKey('m-1')).not.toBe(replyIdempotencyKey('m-2'));
  });

  it('counts the validity from the keyword, and gives a late replay none', () => {
    const now = new Date('2026-11-29T15:00:00Z');
    expect(replyValidUntil(new Date('2026-11-29T14:30:00Z'), now, 3600)).toEqual(
      new Date('2026-11-29T15:30:00Z'),
    );
    expect(replyValidUntil(null, now, 3600)).toEqual(new Date('2026-11-29T16:00:00Z'));
    expect(replyValidUntil(new Date('2026-11-29T14:00:00Z'), now, 3600)).toBeNull();
  });
});
