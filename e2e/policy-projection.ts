/** Runs one statement: a pg Client's query, or a stand-in that opens a connection per query. */
export type RunQuery = (text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * The version of the organization's compliance policy that messaging holds: its projection of
 * compliance.policy.v1 (`organization_policies`), 0 before the first. Until it holds a change,
 * messaging applies what it had (the platform default at first, whose quiet hours hold a campaign
 * message outside 08:00–21:00 in the recipient's time). `query` must see the row: the database
 * owner with the tenant set, or a superuser.
 */
export async function messagingPolicyVersion(query: RunQuery, orgId: string): Promise<number> {
  const { rows } = await query(
    'SELECT version::int AS version FROM organization_policies WHERE org_id = $1',
    [orgId],
  );
  return (rows[0] as { version: number } | undefined)?.version ?? 0;
}
