import { findCardData, luhnValid } from './card-data';

describe('findCardData', () => {
  it('finds Luhn-valid card numbers, masked, and nothing else of the kind', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(findCardData('paid with 4242424242424242 today')).toEqual(['PAN 4242…4242']);
    expect(findCardData('amex 378282246310005, mc 5555555555554444')).toEqual([
      'PAN 3782…0005',
      'PAN 5555…4444',
    ]);
    // Not a card: a bad checksum, a millisecond timestamp, a phone number, a longer run.
    expect(
      findCardData('4242424242424241 1764443221000 +14155550142 42424242424242424242'),
    ).toEqual([]);
    // Nor the fraction of a decimal number (a float column's value).
    expect(findCardData('tokens 12.4242424242424242, rate 0.4242424242424242')).toEqual([]);
    // Nor a digit run inside a hex hash or a bytea dump (a chain head happened to hold one).
    expect(findCardData('\\x4242424242424242ab9f 9f4242424242424242 c4242424242424242e')).toEqual(
      [],
    );
  });

  it('finds CVC fields and card number fields', () => {
    expect(findCardData('{"cvc":"123"}')).toEqual(['CVC field "cvc"']);
    expect(findCardData('card[cvc]=123')).toEqual(['CVC field "cvc"']);
    expect(findCardData('{"number": "4000056655665556"}')).toEqual([
      'PAN 4000…5556',
      'card number field "number":',
    ]);
    expect(findCardData('{"cvc_check":"pass","number_of_items":3}')).toEqual([]);
  });
});
