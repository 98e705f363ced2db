import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';

/**
 * bcrypt with the configured cost (BCRYPT_COST: 12 by default and at least 12 in production;
 * tests use 4 to stay fast). A stored hash keeps its own cost, so raising the cost applies to
 * new and changed passwords.
 */
@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  constructor(
    @Inject(ACCOUNTS_CONFIG) private readonly config: Pick<AccountsConfig, 'BCRYPT_COST'>,
  ) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.BCRYPT_COST);
  }

  /**
   * Compares with the stored hash, or — when there is none (unknown email, Google-only
   * account) — with a dummy hash of the same cost, so the answer takes as long either way and
   * its timing does not tell whether the account exists.
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash) {
      await bcrypt.compare(password, await this.dummyHash());
      return false;
    }
    return bcrypt.compare(password, hash);
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= bcrypt.hash('not-a-password-of-anyone', this.config.BCRYPT_COST);
    return this.dummy;
  }
}
