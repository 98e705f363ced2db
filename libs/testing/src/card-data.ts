/**
 * Card data in a text (a database dump, a log): a PAN — a Luhn-valid run of 13–19 digits that
 * starts like a card network's numbers (2–6) —, a CVC field, or a card number field. Findings
 * are masked (first 4 and last 4 digits), so a failing test never prints a card number.
 */
export function findCardData(text: string): string[] {
  const found: string[] = [];
  // A standalone digit run: one inside a longer token (a hex hash, a base64 value) or the
  // fraction of a decimal number (a float column such as a token bucket's 12.6424…9996) is no PAN.
  for (const match of text.matchAll(/(?<![0-9A-Za-z])(?<!\d\.)[2-6]\d{12,18}(?![0-9A-Za-z])/g)) {
    if (luhnValid(match[0])) found.push(`PAN ${match[0].slice(0, 4)}…${match[0].slice(-4)}`);
  }
  for (const match of text.matchAll(/["'[]?\b(cvc|cvv|cvc2|cvv2|cid)\b["'\]]?\s*[:=]/gi)) {
    found.push(`CVC field "${match[1]}"`);
  }
  for (const match of text.matchAll(/(["']number["']\s*:|card\[number\]\s*=)\s*["']?\d{12,19}/gi)) {
    found.push(`card number field ${match[1]}`);
  }
  return found;
}

/** The Luhn checksum of a digit string (every card number passes it). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
