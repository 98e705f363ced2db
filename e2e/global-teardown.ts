import type { Platform } from '@switchboard/testing';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __platform?: Platform }).__platform?.stop();
}
