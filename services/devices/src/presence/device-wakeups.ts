import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Client } from 'pg';
import type { Gauge } from 'prom-client';
import { Metrics } from '@switchboard/observability';
import type { SqlRunner } from '@switchboard/events';
import type { SqlStatement } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';

/** The SSE event names the app knows (ExternalEventType.kt). */
export type DeviceEventName =
  'MessageEnqueued' | 'MessageCancelled' | 'SettingsUpdated' | 'WebhooksUpdated';

/** One open `GET /events` stream. */
export interface EventStream {
  send(event: DeviceEventName, data: Record<string, string> | null): void;
  close(): void;
}

export const WAKE_CHANNEL = 'devices_wake';

/** `$disconnect` is ours, never sent to a phone: the device's streams are closed. */
type WakeEvent = DeviceEventName | '$disconnect';

interface WakePayload {
  d: string;
  e: WakeEvent;
  p: Record<string, string> | null;
}

/**
 * Tells phones to pull, whichever replica holds their SSE stream. A change that concerns a
 * device (a message queued or canceled, settings changed) calls `notify` inside its
 * transaction: PostgreSQL delivers the NOTIFY on commit (never for a rollback) to every
 * replica LISTENing, and the one holding the device's stream writes the event. Pacing asks
 * for a wake-up at a future time with `wakeAt` (a timer, then a NOTIFY). Lost notifications
 * (a replica's listener reconnecting) are covered by the sweep, which wakes devices that have
 * messages ready and have not pulled for a while.
 */
@Injectable()
export class DeviceWakeups implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceWakeups.name);
  private readonly streams = new Map<string, Set<EventStream>>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private listener?: Client;
  private running = false;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly streamsGauge: Gauge;

  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    metrics: Metrics,
  ) {
    this.streamsGauge = metrics.gauge(
      'devices_sse_streams',
      'Open GET /events streams held by this replica.',
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.listen().catch((error: Error) => {
      this.logger.warn({ msg: 'wake listener not connected; retrying', error: error.message });
      this.scheduleReconnect();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const set of this.streams.values()) for (const stream of set) stream.close();
    this.streams.clear();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Wakes the device when the caller's transaction commits. */
  async notify(
    tx: SqlRunner,
    deviceId: string,
    event: WakeEvent = 'MessageEnqueued',
    data: Record<string, string> | null = null,
  ): Promise<void> {
    const payload: WakePayload = { d: deviceId, e: event, p: data };
    await tx.query(`SELECT pg_notify('${WAKE_CHANNEL}', $1)`, [JSON.stringify(payload)]);
  }

  /**
   * `notify` of new messages for several devices as a statement, not run: the last statement
   * of an assignment's runTogether (a SELECT, so it must come last to be run at all).
   */
  enqueuedStatement(deviceIds: readonly string[]): SqlStatement {
    return {
      text: `SELECT pg_notify('${WAKE_CHANNEL}', payload) FROM unnest($1::text[]) AS payload`,
      values: [
        deviceIds.map((d) =>
          JSON.stringify({ d, e: 'MessageEnqueued', p: null } satisfies WakePayload),
        ),
      ],
    };
  }

  /** Wakes the device at `at` (epoch ms); an earlier pending wake-up for it wins. */
  wakeAt(runner: SqlRunner, deviceId: string, at: number): void {
    const pending = this.timers.get(deviceId);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(
      () => {
        this.timers.delete(deviceId);
        this.notify(runner, deviceId).catch((error: Error) =>
          this.logger.warn({ msg: 'scheduled wake-up failed', deviceId, error: error.message }),
        );
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.timers.set(deviceId, { at, timer });
  }

  /** Registers an open stream; returns its removal. */
  attach(deviceId: string, stream: EventStream): () => void {
    let set = this.streams.get(deviceId);
    if (!set) this.streams.set(deviceId, (set = new Set()));
    set.add(stream);
    this.streamsGauge.inc();
    return () => {
      if (set.delete(stream)) this.streamsGauge.dec();
      if (set.size === 0 && this.streams.get(deviceId) === set) this.streams.delete(deviceId);
    };
  }

  /** Closes the device's streams on every replica when the transaction commits (removed). */
  disconnectOnCommit(tx: SqlRunner, deviceId: string): Promise<void> {
    return this.notify(tx, deviceId, '$disconnect');
  }

  /** Streams open on this replica (metrics, tests). */
  get openStreams(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Delivers a wake-up to the streams held here. */
  deliver(payload: WakePayload): void {
    const streams = this.streams.get(payload.d);
    if (!streams) return;
    if (payload.e === '$disconnect') {
      // Closing ends the request, whose handler detaches the stream.
      for (const stream of [...streams]) stream.close();
      return;
    }
    for (const stream of streams) stream.send(payload.e, payload.p);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    client.on('notification', (message) => {
      if (message.channel !== WAKE_CHANNEL || !message.payload) return;
      try {
        this.deliver(JSON.parse(message.payload) as WakePayload);
      } catch (error) {
        this.logger.warn({ msg: 'bad wake payload', error: (error as Error).message });
      }
    });
    client.on('error', (error) => {
      this.logger.warn({ msg: 'wake listener lost its connection', error: error.message });
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
    if (!this.running) {
      await client.end();
      return;
    }
    this.listener = client;
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.running || this.listener) return;
      this.listen().catch(() => this.scheduleReconnect());
    }, 1000);
    this.reconnectTimer.unref();
  }
}
