import type { InjectionToken, Provider, Type } from '@nestjs/common';
import { PRIVACY_OPTIONS, privacyOptions } from './privacy-config';
import { PRIVACY_PARTICIPANT, type PrivacyParticipant } from './privacy-participant';
import { PrivacyRequestConsumer } from './privacy-request.consumer';
import { PrivacyTasksRepository } from './privacy-tasks.repository';
import { PrivacyWorker } from './privacy-worker';

/**
 * The providers every participating service lists, plus PRIVACY_OPTIONS (privacyOptions) and
 * PRIVACY_PARTICIPANT (its sections, erasure and legal holds).
 */
export const privacyProviders = [PrivacyTasksRepository, PrivacyWorker, PrivacyRequestConsumer];

export interface ServicePrivacyOptions {
  /** The service's name (replies, the worker's lease). */
  service: string;
  /** The token of the service's config (its PRIVACY_* and DATABASE_URL variables). */
  config: InjectionToken;
  /** The service's participant: its export sections, erasure and legal holds. */
  participant: Type<PrivacyParticipant>;
}

/** The providers of a participating service: the kit's, its participant and its options. */
export function servicePrivacyProviders(options: ServicePrivacyOptions): Provider[] {
  return [
    ...privacyProviders,
    { provide: PRIVACY_PARTICIPANT, useClass: options.participant },
    {
      provide: PRIVACY_OPTIONS,
      useFactory: (config: Parameters<typeof privacyOptions>[1]) =>
        privacyOptions(options.service, config),
      inject: [options.config],
    },
  ];
}
