import { chooseCarrierSender } from './carrier-sender';

const numbers = [
  { number: '+15550000001', sms: true, mms: false },
  { number: '+15550000002', sms: true, mms: true },
];
const base = { requestedFrom: null, numbers, sticky: null, needsMms: false, hasSenderPool: false };

describe('chooseCarrierSender', () => {
  it('uses the requested sender only when the account has it with the capability', () => {
    expect(chooseCarrierSender({ ...base, requestedFrom: '+15550000001' })).toEqual({
      from: '+15550000001',
    });
    expect(
      chooseCarrierSender({ ...base, requestedFrom: '+15550000001', needsMms: true }),
    ).toHaveProperty('problem');
    expect(chooseCarrierSender({ ...base, requestedFrom: '+15559999999' })).toHaveProperty(
      'problem',
    );
  });

  it('prefers the sticky sender, then the first capable number', () => {
    expect(chooseCarrierSender({ ...base, sticky: '+15550000002' })).toEqual({
      from: '+15550000002',
    });
    expect(chooseCarrierSender({ ...base, sticky: '+15559999999' })).toEqual({
      from: '+15550000001',
    });
    expect(chooseCarrierSender({ ...base, needsMms: true })).toEqual({ from: '+15550000002' });
    expect(chooseCarrierSender({ ...base, sticky: '+15550000001', needsMms: true })).toEqual({
      from: '+15550000002',
    });
  });

  it('leaves the sender to the messaging service / profile when there is no number', () => {
    expect(chooseCarrierSender({ ...base, numbers: [], hasSenderPool: true })).toEqual({
      from: null,
    });
    expect(chooseCarrierSender({ ...base, numbers: [] })).toEqual({
      problem: 'the carrier account has no sender number',
    });
    expect(chooseCarrierSender({ ...base, numbers: [numbers[0]!], needsMms: true })).toEqual({
      problem: 'the carrier account has no MMS-capable number',
    });
  });
});
