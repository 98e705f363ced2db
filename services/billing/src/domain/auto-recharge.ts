/** Auto-recharge amounts, like Checkout top-ups: 1.00 to 10,000.00 (minor units). */
export const MIN_RECHARGE_MINOR = 100;
export const MAX_RECHARGE_MINOR = 1_000_000;

/** What is wrong with auto-recharge settings (nothing: []). */
export function autoRechargeProblems(s: { belowMinor: number; amountMinor: number }): string[] {
  const problems: string[] = [];
  const isAmount = (n: number) =>
    Number.isSafeInteger(n) && n >= MIN_RECHARGE_MINOR && n <= MAX_RECHARGE_MINOR;
  if (!isAmount(s.belowMinor))
    problems.push(`belowMinor: ${MIN_RECHARGE_MINOR}–${MAX_RECHARGE_MINOR} minor units`);
  if (!isAmount(s.amountMinor))
    problems.push(`amountMinor: ${MIN_RECHARGE_MINOR}–${MAX_RECHARGE_MINOR} minor units`);
  return problems;
}
