import type { Platform } from '@switchboard/testing';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __platform?: Platform }).__platform?.stop();
  await (globalThis as { __carriers?: { stop(): Promise<void> } }).__carriers?.stop();
  await (globalThis as { __stripe?: { stop(): Promise<void> } }).__stripe?.stop();
  await (globalThis as { __google?: { stop(): Promise<void> } }).__google?.stop();
}
