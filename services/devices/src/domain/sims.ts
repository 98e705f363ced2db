import { maskNumber } from './phone-numbers';

/** A SIM card as the app reports it (client-go SimCard). */
export interface ReportedSim {
  slotIndex: number;
  simNumber: number;
  phoneNumber?: string | null;
  carrierName?: string | null;
}

/** A SIM card as stored: 1-based slot, masked number. */
export interface StoredSim {
  slot: number;
  slotIndex: number;
  carrierName: string | null;
  maskedNumber: string | null;
}

/** SIMs as stored: masked numbers, 1-based slot, one per slot (the first report wins). */
export function simsOf(cards: ReportedSim[] | undefined): StoredSim[] {
  const bySlot = new Map<number, StoredSim>();
  for (const card of cards ?? []) {
    if (bySlot.has(card.simNumber)) continue;
    bySlot.set(card.simNumber, {
      slot: card.simNumber,
      slotIndex: card.slotIndex,
      carrierName: card.carrierName?.trim() || null,
      maskedNumber: maskNumber(card.phoneNumber),
    });
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}

/** The app's device name is "<MANUFACTURER>/<PRODUCT>"; anything else is the model. */
export function deviceNameParts(reported: string | null | undefined): {
  name: string;
  manufacturer: string | null;
  model: string;
} {
  const name = reported?.trim() || 'Android phone';
  const [manufacturer, model] = name.includes('/') ? name.split('/', 2) : [null, name];
  return { name, manufacturer, model };
}
