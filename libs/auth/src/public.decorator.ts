import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from './auth-metadata';

/** Lets a handler (or every handler of a class) be called without a token. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
