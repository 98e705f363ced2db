import { PrivacyRequestConsumer } from './privacy-request.consumer';
import { PrivacyTasksRepository } from './privacy-tasks.repository';
import { PrivacyWorker } from './privacy-worker';

/**
 * The providers every participating service lists, plus PRIVACY_OPTIONS (privacyOptions) and
 * PRIVACY_PARTICIPANT (its sections, erasure and legal holds).
 */
export const privacyProviders = [PrivacyTasksRepository, PrivacyWorker, PrivacyRequestConsumer];
