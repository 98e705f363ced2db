import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensResolver } from './api-tokens.resolver';
import { ApiTokensService } from './api-tokens.service';

/** API tokens of customers' servers (and their exchange: TokenExchangeController). */
export const apiTokensProviders = [ApiTokensRepository, ApiTokensService, ApiTokensResolver];
