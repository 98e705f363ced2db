import { routeLabel, senderChoice, senderText } from './sender';

const twilio = { id: 'route-twilio-0001', name: 'Main', kind: 'TWILIO' };
const phones = { id: 'route-phones-0001', name: 'Office', kind: 'DEVICE_POOL' };

describe('sender', () => {
  it('labels routes by name and kind, a device pool as phones', () => {
    expect(routeLabel(twilio)).toBe('Main (twilio)');
    expect(routeLabel(phones)).toBe('Office (phones)');
  });

  it('takes no sender without a route, and a typed number trimmed, empty as none', () => {
    expect(senderChoice({ routeId: '', from: '+14155550111', fallback: true })).toBeNull();
    expect(senderChoice({ routeId: twilio.id, from: ' +14155550111 ' })).toEqual({
      routeId: twilio.id,
      from: '+14155550111',
      fallback: false,
    });
    expect(senderChoice({ routeId: twilio.id, from: '  ', fallback: true })).toEqual({
      routeId: twilio.id,
      from: null,
      fallback: true,
    });
  });

  it('says where a campaign sends from, and whether other routes follow', () => {
    expect(senderText(null, [twilio])).toBe('');
    expect(
      senderText({ routeId: twilio.id, from: '+14155550111', fallback: false }, [twilio]),
    ).toBe(' · from Main (twilio) +14155550111 only');
    expect(senderText({ routeId: phones.id, from: null, fallback: true }, [])).toBe(
      ' · from route route-ph, then the other routes',
    );
  });
});
