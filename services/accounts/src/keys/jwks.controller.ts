import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@switchboard/auth';
import { SigningKeys } from './signing-keys.service';

/**
 * `GET /.well-known/jwks.json`: the public keys verifiers need (current, next, and retired
 * ones until their tokens expire). Cacheable for 5 minutes; verifiers re-read it when they
 * meet an unknown `kid`.
 */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300, stale-while-revalidate=60')
  @Header('Content-Type', 'application/jwk-set+json')
  jwks() {
    return this.keys.jwks();
  }
}
