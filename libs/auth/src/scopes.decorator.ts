import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { SCOPES_KEY } from './auth-metadata';
import type { Scope } from './principal';
import { ScopesGuard } from './scopes.guard';

/** The caller needs all of these scopes. Applies ScopesGuard. */
export const Scopes = (...scopes: [Scope, ...Scope[]]) =>
  applyDecorators(SetMetadata(SCOPES_KEY, scopes), UseGuards(ScopesGuard));
