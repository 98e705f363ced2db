export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  isPlatformAdmin: boolean;
  googleSubject: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A `users` row as selected (repositories joining users map it with toUser). */
export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  email_verified_at: Date | null;
  is_platform_admin: boolean;
  google_subject: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    emailVerifiedAt: r.email_verified_at,
    isPlatformAdmin: r.is_platform_admin,
    googleSubject: r.google_subject,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
