import type { Provider } from '@nestjs/common';
import { CARRIER_DISPATCH } from './carrier';
import { CarrierAccountsResolver } from './carrier-accounts.resolver';
import { CarrierAccountsService } from './carrier-accounts.service';
import { CarrierCallbacksService } from './carrier-callbacks.service';
import { CarrierDispatchQueue } from './carrier-dispatch.queue';
import { CarrierDispatchWorker } from './carrier-dispatch.worker';
import { CarrierHooksController } from './carrier-hooks.controller';
import { CarrierMessageWriter } from './carrier-message.writer';
import { CarriersRepository } from './carriers.repository';
import { TelnyxAdapter } from './telnyx/telnyx.adapter';
import { TwilioAdapter } from './twilio/twilio.adapter';

/**
 * Carriers' providers, part of MessagingModule: they write messages through its
 * MessageLifecycle and call routing's failover (ROUTE_FAILOVER), and routing queues carrier
 * sends through CARRIER_DISPATCH — one module, no import cycle.
 */
export const CARRIER_PROVIDERS: Provider[] = [
  CarriersRepository,
  CarrierAccountsService,
  TwilioAdapter,
  TelnyxAdapter,
  CarrierMessageWriter,
  CarrierDispatchQueue,
  { provide: CARRIER_DISPATCH, useExisting: CarrierDispatchQueue },
  CarrierDispatchWorker,
  CarrierCallbacksService,
  CarrierAccountsResolver,
];

export const CARRIER_CONTROLLERS = [CarrierHooksController];
