import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requirePrincipal } from './request-context';

/** The verified caller, in controllers and resolvers alike (UNAUTHENTICATED if there is none). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  requirePrincipal(context),
);
