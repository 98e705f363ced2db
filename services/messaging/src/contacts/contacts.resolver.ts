import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import {
  ContactConnection,
  ContactModel,
  ContactsFilter,
  CreateContactInput,
  optInOf,
  toContactConnection,
  toContactModel,
  UpdateContactInput,
} from './contact.model';
import { ContactsService } from './contacts.service';

export function contactId(id: string): string {
  if (!isUuid(id))
    throw new MessagingException(MessagingErrorCode.CONTACT_NOT_FOUND, 'No such contact');
  return id.toLowerCase();
}

/** Contacts: reading needs `messages:read`, writing `contacts:write`. */
@Resolver(() => ContactModel)
export class ContactsResolver {
  constructor(private readonly service: ContactsService) {}

  @Scopes('messages:read')
  @Query(() => ContactModel)
  async contact(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ContactModel> {
    return toContactModel(await this.service.get(requireOrg(principal), contactId(id)));
  }

  @Scopes('messages:read')
  @Query(() => ContactConnection, { description: 'Newest first.' })
  async contacts(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => ContactsFilter, nullable: true }) filter?: ContactsFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ContactConnection> {
    return toContactConnection(
      await this.service.list(requireOrg(principal), filter ?? {}, { first, after }),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactModel, { description: 'CONTACT_EXISTS when the number has one.' })
  async createContact(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateContactInput }) input: CreateContactInput,
  ): Promise<ContactModel> {
    return toContactModel(
      await this.service.create(requireOrg(principal), { ...input, optIn: optInOf(input.optIn) }),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => ContactModel)
  async updateContact(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateContactInput }) input: UpdateContactInput,
  ): Promise<ContactModel> {
    return toContactModel(
      await this.service.update(requireOrg(principal), contactId(id), {
        ...input,
        optIn: optInOf(input.optIn),
      }),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => Boolean, { description: 'Deletes the contact and its list memberships.' })
  async deleteContact(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.service.delete(requireOrg(principal), contactId(id));
  }
}
