import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import { hashToken } from '../domain/opaque-token';

export type UserTokenPurpose = 'VERIFY_EMAIL' | 'PASSWORD_RESET';

const prefixOf = {
  VERIFY_EMAIL: OpaqueTokenPrefix.emailVerification,
  PASSWORD_RESET: OpaqueTokenPrefix.passwordReset,
} as const;

type Runner = Pick<Tx, 'query'>;

/** One-time, expiring secrets mailed to a user (email verification, password reset); stored hashed. */
@Injectable()
export class UserTokensRepository {
  /** Issues a new secret; earlier unused ones of the same purpose stop working. */
  async issue(
    tx: Runner,
    input: { userId: string; email: string; purpose: UserTokenPurpose; ttlSeconds: number },
    now: Date,
  ): Promise<string> {
    await tx.query(
      `UPDATE user_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [input.userId, input.purpose, now],
    );
    const token = generateOpaqueToken(prefixOf[input.purpose]);
    await tx.query(
      `INSERT INTO user_tokens (id, user_id, purpose, email, token_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        randomUUID(),
        input.userId,
        input.purpose,
        input.email,
        hashToken(token),
        now,
        new Date(now.getTime() + input.ttlSeconds * 1000),
      ],
    );
    return token;
  }

  /** Uses a secret once: returns its user and email if it was valid, unused and unexpired. */
  async consume(
    tx: Runner,
    token: string,
    purpose: UserTokenPurpose,
    now: Date,
  ): Promise<{ userId: string; email: string } | undefined> {
    const [used] = await rows<{ user_id: string; email: string }>(
      tx,
      `UPDATE user_tokens SET used_at = $3
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING user_id, email`,
      [hashToken(token), purpose, now],
    );
    return used && { userId: used.user_id, email: used.email };
  }

  async revokeAll(tx: Runner, userId: string, purpose: UserTokenPurpose, now: Date): Promise<void> {
    await tx.query(
      `UPDATE user_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose, now],
    );
  }
}
