import {
  SimulatedPhone,
  type AgentLogEntry,
  type PhoneOptions,
} from '../../../../tools/device-agent/src/simulated-phone';
import type { DevicesHarness } from './devices-harness';

/** Simulated phones of the tests: the device agent's core, with its log kept in memory. */
export class PhoneFleet {
  readonly log: AgentLogEntry[] = [];
  readonly phones: SimulatedPhone[] = [];

  constructor(private readonly h: DevicesHarness) {}

  /** Enrolls a phone in `orgId` (a new single-use token unless given one) and starts it. */
  async phone(
    orgId: string,
    { enrollmentToken, ...options }: Partial<PhoneOptions> & { enrollmentToken?: string } = {},
  ): Promise<SimulatedPhone> {
    const phone = new SimulatedPhone({
      apiUrl: this.h.apiUrl,
      sendDelayMs: 30,
      deliveryDelayMs: 30,
      reconnectDelayMs: 200,
      log: (entry) => this.log.push(entry),
      ...options,
    });
    await phone.enroll(enrollmentToken ?? (await this.h.enrollmentToken(orgId)));
    this.phones.push(phone);
    await phone.start();
    return phone;
  }

  handouts(deviceId?: string): (AgentLogEntry & { messageId: string; segments: number })[] {
    return this.log.filter(
      (e) => e.event === 'handout' && (!deviceId || e.device === deviceId),
    ) as (AgentLogEntry & { messageId: string; segments: number })[];
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.phones.map((p) => p.stop()));
  }
}

/** Polls until `check` passes (or throws its last failure after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
