import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ROLES_KEY } from './auth-metadata';
import type { Role } from './principal';
import { RolesGuard } from './roles.guard';

/** Only users with one of these roles may call the handler (or class). Applies RolesGuard. */
export const Roles = (...roles: [Role, ...Role[]]) =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), UseGuards(RolesGuard));
