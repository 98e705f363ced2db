/**
 * Which of a carrier account's numbers sends a message. Pure.
 *
 * - the message's own `from` when it is one of the account's numbers with the capability;
 * - else the contact's sticky sender (the number last used for them) when the account keeps
 *   sticky senders and that number still can;
 * - else the first capable number (SMS, or MMS when the message has media);
 * - else none (`from: null`) when the account sends through a Twilio Messaging Service or a
 *   Telnyx messaging profile, which picks its own sender;
 * - else the route cannot send it.
 */
export interface SenderNumber {
  number: string;
  sms: boolean;
  mms: boolean;
}

export type SenderChoice = { from: string | null } | { problem: string };

export function chooseCarrierSender(input: {
  requestedFrom: string | null;
  numbers: readonly SenderNumber[];
  sticky: string | null;
  needsMms: boolean;
  /** The account has a messaging service / profile that can choose the sender. */
  hasSenderPool: boolean;
}): SenderChoice {
  const capable = input.numbers.filter((n) => (input.needsMms ? n.mms : n.sms || n.mms));
  const has = (number: string | null) => !!number && capable.some((n) => n.number === number);
  if (input.requestedFrom) {
    return has(input.requestedFrom)
      ? { from: input.requestedFrom }
      : { problem: 'the requested sender is not a capable number of this carrier account' };
  }
  if (has(input.sticky)) return { from: input.sticky };
  if (capable[0]) return { from: capable[0].number };
  if (input.hasSenderPool) return { from: null };
  return {
    problem: input.needsMms
      ? 'the carrier account has no MMS-capable number'
      : 'the carrier account has no sender number',
  };
}
