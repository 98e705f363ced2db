import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { MessageModel } from '../messages/message.model';
import { toMessageMediaModel, MessageMediaModel } from './media.model';
import type { MediaRecord } from './media.record';
import { MediaService } from './media.service';

/**
 * `Message.media` (read with the message, same scopes): one query for all the messages of a
 * request (a DataLoader kept per GraphQL context, per organization).
 */
@Resolver(() => MessageModel)
export class MessageMediaResolver {
  private readonly loaders = new WeakMap<object, Map<string, DataLoader<string, MediaRecord[]>>>();

  constructor(private readonly mediaService: MediaService) {}

  @ResolveField(() => [MessageMediaModel], {
    description:
      'Inbound MMS media with our stored copies (empty for outbound messages and SMS; emptied with the body by retention).',
  })
  async media(
    @Parent() message: MessageModel,
    @Context() context: object,
  ): Promise<MessageMediaModel[]> {
    if (message.direction !== 'INBOUND' || message.mediaUrls.length === 0) return [];
    const found = await this.loaderFor(context, message.orgId).load(message.id);
    return found.map((record) => toMessageMediaModel(record, (r) => this.mediaService.linkTo(r)));
  }

  private loaderFor(context: object, orgId: string): DataLoader<string, MediaRecord[]> {
    let byOrg = this.loaders.get(context);
    if (!byOrg) this.loaders.set(context, (byOrg = new Map()));
    let loader = byOrg.get(orgId);
    if (!loader) {
      loader = new DataLoader(async (ids) => {
        const found = await this.mediaService.ofMessages(orgId, ids);
        return ids.map((id) => found.get(id) ?? []);
      });
      byOrg.set(orgId, loader);
    }
    return loader;
  }
}
