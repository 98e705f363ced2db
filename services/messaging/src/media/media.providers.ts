import { MediaController } from './media.controller';
import { MediaFetchWorker } from './media-fetch.worker';
import { MediaRepository } from './media.repository';
import { MessageMediaResolver } from './media.resolver';
import { MediaService } from './media.service';

/** Inbound MMS media (fetch worker, `/media/:id` signed links, `Message.media`). */
export const MEDIA_PROVIDERS = [
  MediaRepository,
  MediaService,
  MediaFetchWorker,
  MessageMediaResolver,
];
export const MEDIA_CONTROLLERS = [MediaController];
