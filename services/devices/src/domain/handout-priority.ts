/** The message priority of a command that names none (producers before priorities). */
export const DEFAULT_MESSAGE_PRIORITY = 50;

/**
 * A queue row's handout rank: the message's priority (0–100, from messaging: transactional
 * above campaign) first, then the dispatch attempt (a retry goes ahead of first attempts of
 * the same priority). The queue hands rows out highest first, so an OTP sent during a large
 * campaign on the same phones is the next message its phone gets.
 */
export function handoutPriority(messagePriority: number | undefined, attempt: number): number {
  const priority = Math.max(
    0,
    Math.min(100, Math.trunc(messagePriority ?? DEFAULT_MESSAGE_PRIORITY)),
  );
  return priority * 100 + Math.max(0, Math.min(attempt - 1, 99));
}

/**
 * The `priority` the SMSGate app is given: below 100 always (100 and more bypass the app's own
 * limits and delays); retries rank first, as before message priorities.
 */
export function appPriority(attempt: number): number {
  return Math.max(0, Math.min(attempt - 1, 99));
}
