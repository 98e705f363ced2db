import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import {
  ContactImportModel,
  ContactImportTicketModel,
  CreateContactImportInput,
  toContactImportModel,
  toContactImportTicketModel,
} from './contact-import.model';
import { ContactImportsService } from './contact-imports.service';

/** CSV imports: creating one needs `contacts:write`, reading its progress `messages:read`. */
@Resolver(() => ContactImportModel)
export class ContactImportsResolver {
  constructor(private readonly imports: ContactImportsService) {}

  @Scopes('contacts:write')
  @Mutation(() => ContactImportTicketModel, {
    description: 'Starts an import: PUT the CSV to the uploadUrl it returns.',
  })
  async createContactImport(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateContactImportInput, nullable: true })
    input?: CreateContactImportInput | null,
  ): Promise<ContactImportTicketModel> {
    return toContactImportTicketModel(
      await this.imports.create(requireOrg(principal), {
        listId: input?.listId?.toLowerCase() ?? null,
      }),
    );
  }

  @Scopes('messages:read')
  @Query(() => ContactImportModel, { description: 'An import’s progress (live) and report.' })
  async contactImport(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ContactImportModel> {
    if (!isUuid(id)) {
      throw new MessagingException(MessagingErrorCode.CONTACT_IMPORT_NOT_FOUND, 'No such import');
    }
    return toContactImportModel(await this.imports.get(requireOrg(principal), id.toLowerCase()));
  }
}
