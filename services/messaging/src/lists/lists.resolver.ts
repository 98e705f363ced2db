import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { ContactConnection, toContactConnection } from '../contacts/contact.model';
import {
  ContactListConnection,
  ContactListModel,
  CreateContactListInput,
  toContactListConnection,
  toContactListModel,
} from './contact-list.model';
import { ListsService } from './lists.service';

function listId(id: string): string {
  if (!isUuid(id))
    throw new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
  return id.toLowerCase();
}

function contactIds(ids: string[]): string[] {
  const bad = ids.find((id) => !isUuid(id));
  if (bad !== undefined) {
    throw new MessagingException(MessagingErrorCode.CONTACT_NOT_FOUND, 'No such contact');
  }
  return ids.map((id) => id.toLowerCase());
}

/** Lists and segments: reading needs `messages:read`, writing `contacts:write`. */
@Resolver(() => ContactListModel)
export class ListsResolver {
  constructor(private readonly lists: ListsService) {}

  @Scopes('messages:read')
  @Query(() => ContactListModel)
  async contactList(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ContactListModel> {
    return toContactListModel(await this.lists.get(requireOrg(principal), listId(id)));
  }

  @Scopes('messages:read')
  @Query(() => ContactListConnection, { description: 'Newest first.' })
  async contactLists(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ContactListConnection> {
    return toContactListConnection(await this.lists.list(requireOrg(principal), { first, after }));
  }

  @ResolveField(() => ContactConnection, {
    description: 'Static list: last added first. Segment: matching contacts, newest first.',
  })
  async members(
    @CurrentPrincipal() principal: Principal,
    @Parent() list: ContactListModel,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ContactConnection> {
    return toContactConnection(
      await this.lists.members(requireOrg(principal), list.id, { first, after }),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactListModel, { description: 'A static list, or with `filter` a segment.' })
  async createContactList(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateContactListInput }) input: CreateContactListInput,
  ): Promise<ContactListModel> {
    return toContactListModel(await this.lists.create(requireOrg(principal), input));
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactListModel)
  async renameContactList(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('name', { type: () => String }) name: string,
  ): Promise<ContactListModel> {
    return toContactListModel(await this.lists.rename(requireOrg(principal), listId(id), name));
  }

  @Scopes('contacts:write')
  @Mutation(() => Boolean, { description: 'Deletes the list (never its contacts).' })
  async deleteContactList(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.lists.delete(requireOrg(principal), listId(id));
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactListModel, { description: 'Adds 1 to 1,000 contacts to a static list.' })
  async addContactsToList(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('contactIds', { type: () => [ID] }) ids: string[],
  ): Promise<ContactListModel> {
    return toContactListModel(
      await this.lists.addContacts(requireOrg(principal), listId(id), contactIds(ids)),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactListModel, {
    description: 'Removes 1 to 1,000 contacts from a static list.',
  })
  async removeContactsFromList(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('contactIds', { type: () => [ID] }) ids: string[],
  ): Promise<ContactListModel> {
    return toContactListModel(
      await this.lists.removeContacts(requireOrg(principal), listId(id), contactIds(ids)),
    );
  }
}
