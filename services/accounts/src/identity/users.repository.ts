import { Injectable } from '@nestjs/common';
import { row, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import { toUser, type UserRecord, type UserRow } from './user.record';

const COLUMNS = `id, email, display_name, password_hash, email_verified_at, is_platform_admin, google_subject, created_at, updated_at`;

type Runner = Pick<Tx, 'query'>;

/** The users table: identities across organizations (not row-level secured, see the migration). */
@Injectable()
export class UsersRepository {
  async insert(
    tx: Runner,
    user: {
      id: string;
      email: string;
      displayName: string;
      passwordHash: string | null;
      emailVerifiedAt?: Date | null;
      googleSubject?: string | null;
    },
    now: Date,
  ): Promise<UserRecord> {
    const inserted = await row<UserRow>(
      tx,
      `INSERT INTO users (id, email, display_name, password_hash, password_changed_at, email_verified_at, google_subject, created_at, updated_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $4::text IS NULL THEN NULL ELSE $5::timestamptz END, $6, $7, $5, $5)
       RETURNING ${COLUMNS}`,
      [
        user.id,
        user.email,
        user.displayName,
        user.passwordHash,
        now,
        user.emailVerifiedAt ?? null,
        user.googleSubject ?? null,
      ],
    );
    return toUser(inserted!);
  }

  async findById(tx: Runner, id: string): Promise<UserRecord | undefined> {
    const found = await row<UserRow>(tx, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return found && toUser(found);
  }

  async findByIds(tx: Runner, ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    return (
      await rows<UserRow>(tx, `SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids])
    ).map(toUser);
  }

  /** By email, case-insensitively. */
  async findByEmail(tx: Runner, email: string): Promise<UserRecord | undefined> {
    const found = await row<UserRow>(
      tx,
      `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return found && toUser(found);
  }

  async findByGoogleSubject(tx: Runner, subject: string): Promise<UserRecord | undefined> {
    const found = await row<UserRow>(tx, `SELECT ${COLUMNS} FROM users WHERE google_subject = $1`, [
      subject,
    ]);
    return found && toUser(found);
  }

  async setPassword(tx: Runner, id: string, passwordHash: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1`,
      [id, passwordHash, now],
    );
  }

  async markEmailVerified(tx: Runner, id: string, email: string, now: Date): Promise<boolean> {
    const updated = await rows<{ id: string }>(
      tx,
      `UPDATE users SET email_verified_at = COALESCE(email_verified_at, $3), updated_at = $3
        WHERE id = $1 AND email = $2 RETURNING id`,
      [id, email, now],
    );
    return updated.length > 0;
  }

  async linkGoogle(tx: Runner, id: string, subject: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE users SET google_subject = $2, email_verified_at = COALESCE(email_verified_at, $3), updated_at = $3 WHERE id = $1`,
      [id, subject, now],
    );
  }

  async delete(tx: Runner, id: string): Promise<void> {
    await tx.query(`DELETE FROM users WHERE id = $1`, [id]);
  }
}
