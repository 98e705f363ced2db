import { MediaController } from './media.controller';
import { MediaFetchWorker } from './media-fetch.worker';
import { MediaProbe } from './media-probe';
import { MediaRepository } from './media.repository';
import { MessageMediaResolver } from './media.resolver';
import { MediaService } from './media.service';

/** Inbound MMS media (fetch worker, `/media/:id` signed links, `Message.media`) and the outbound media check. */
export const MEDIA_PROVIDERS = [
  MediaRepository,
  MediaService,
  MediaFetchWorker,
  MediaProbe,
  MessageMediaResolver,
];
export const MEDIA_CONTROLLERS = [MediaController];
