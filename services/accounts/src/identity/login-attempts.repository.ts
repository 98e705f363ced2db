import { Injectable } from '@nestjs/common';
import { rows } from '@switchboard/tenancy';
import type { Tx } from '../common/db-context';

/** A login attempt as the throttle reads it. */
export interface LoginAttemptRecord {
  accountKey: string;
  ip: string;
  succeeded: boolean;
  createdAt: Date;
}

type Runner = Pick<Tx, 'query'>;

/** All SQL of `login_attempts` (global: keyed by a hash of the email and the client IP). */
@Injectable()
export class LoginAttemptsRepository {
  /** The attempts on the account or from the IP after `since`. */
  async recent(
    tx: Runner,
    accountKey: string,
    ip: string,
    since: Date,
  ): Promise<LoginAttemptRecord[]> {
    const found = await rows<{
      account_key: string;
      ip: string;
      succeeded: boolean;
      created_at: Date;
    }>(
      tx,
      `SELECT account_key, ip, succeeded, created_at FROM login_attempts
        WHERE (account_key = $1 OR ip = $2) AND created_at > $3`,
      [accountKey, ip, since],
    );
    return found.map((r) => ({
      accountKey: r.account_key,
      ip: r.ip,
      succeeded: r.succeeded,
      createdAt: r.created_at,
    }));
  }

  /** Records a pending (failed until told otherwise) attempt; returns its id. */
  async insertPending(tx: Runner, accountKey: string, ip: string, now: Date): Promise<string> {
    const [attempt] = await rows<{ id: string }>(
      tx,
      `INSERT INTO login_attempts (account_key, ip, succeeded, created_at) VALUES ($1, $2, false, $3) RETURNING id`,
      [accountKey, ip, now],
    );
    return attempt.id;
  }

  async markSucceeded(tx: Runner, id: string): Promise<void> {
    await tx.query(`UPDATE login_attempts SET succeeded = true WHERE id = $1`, [id]);
  }

  async deleteBefore(tx: Runner, before: Date): Promise<void> {
    await tx.query(`DELETE FROM login_attempts WHERE created_at < $1`, [before]);
  }
}
