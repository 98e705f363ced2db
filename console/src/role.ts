/** The caller's role in the organization among its members (undefined: not a member). */
export function roleOf<R extends string>(
  userId: string,
  members: readonly { role: R; user: { id: string } }[],
): R | undefined {
  return members.find((m) => m.user.id === userId)?.role;
}
