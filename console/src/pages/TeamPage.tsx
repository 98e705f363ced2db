import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { MemberRole } from '../gql/graphql';
import { errorText } from '../errors';
import { useIsOwner } from '../my-role';

const INVITATIONS = graphql(`
  query ConsoleInvitations {
    organization {
      id
      members {
        role
        joinedAt
        user {
          id
          email
          displayName
        }
      }
    }
    invitations {
      id
      email
      role
      expiresAt
    }
  }
`);

const INVITE = graphql(`
  mutation ConsoleInvite($email: String!, $role: MemberRole!) {
    inviteMember(email: $email, role: $role) {
      id
    }
  }
`);

const UPDATE_ROLE = graphql(`
  mutation ConsoleUpdateMemberRole($userId: ID!, $role: MemberRole!) {
    updateMemberRole(userId: $userId, role: $role) {
      role
      user {
        id
      }
    }
  }
`);

const ROLE_LABELS: Record<MemberRole, string> = { CUSTOMER: 'Owner', USER: 'User' };

const REVOKE = graphql(`
  mutation ConsoleRevokeInvitation($id: ID!) {
    revokeInvitation(id: $id)
  }
`);

export function TeamPage() {
  const { data, error, refetch } = useQuery(INVITATIONS);
  const [invite, inviting] = useMutation(INVITE);
  const [revoke] = useMutation(REVOKE);
  const [problem, setProblem] = useState<string | null>(null);
  const [updateRole, updatingRole] = useMutation(UPDATE_ROLE);
  const [roleProblem, setRoleProblem] = useState<string | null>(null);
  const [roleChanged, setRoleChanged] = useState<string | null>(null);
  const [revokeProblem, setRevokeProblem] = useState<string | null>(null);
  const isOwner = useIsOwner();

  async function changeRole(event: FormEvent<HTMLFormElement>, userId: string, who: string) {
    event.preventDefault();
    setRoleProblem(null);
    setRoleChanged(null);
    const role = String(new FormData(event.currentTarget).get('role')) as MemberRole;
    try {
      await updateRole({
        variables: { userId, role },
        refetchQueries: ['ConsoleMyRole', 'ConsoleInvitations'],
        awaitRefetchQueries: true,
      });
      setRoleChanged(`${who} is now ${ROLE_LABELS[role]}.`);
    } catch (e) {
      setRoleProblem(errorText(e));
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      await invite({
        variables: {
          email: String(form.get('email')),
          role: String(form.get('role')) as MemberRole,
        },
      });
      formElement.reset();
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  }

  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">Team</h1>
      <form onSubmit={submit} className="card">
        <label>
          Email to invite
          <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="USER">
            <option value="USER">User</option>
            <option value="CUSTOMER">Owner</option>
          </select>
        </label>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={inviting.loading}>
          Send invitation
        </button>
      </form>
      <h2>Members</h2>
      {roleProblem && <p role="alert">{roleProblem}</p>}
      {roleChanged && <p role="status">{roleChanged}</p>}
      {data && (
        <table>
          <caption className="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {data.organization.members.map((m) => (
              <tr key={m.user.id}>
                <td>{m.user.displayName}</td>
                <td>{m.user.email}</td>
                <td>
                  {isOwner ? (
                    <form
                      className="inline"
                      aria-label={`Role of ${m.user.email}`}
                      onSubmit={(event) => void changeRole(event, m.user.id, m.user.email)}
                    >
                      <select
                        name="role"
                        defaultValue={m.role}
                        aria-label={`Role of ${m.user.email}`}
                      >
                        <option value="CUSTOMER">{ROLE_LABELS.CUSTOMER}</option>
                        <option value="USER">{ROLE_LABELS.USER}</option>
                      </select>
                      <button
                        type="submit"
                        className="secondary"
                        disabled={updatingRole.loading}
                        aria-label={`Change the role of ${m.user.email}`}
                      >
                        Change
                      </button>
                    </form>
                  ) : (
                    ROLE_LABELS[m.role]
                  )}
                </td>
                <td>{new Date(m.joinedAt).toLocaleDateString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Pending invitations</h2>
      {error && <p role="alert">{error.message}</p>}
      {revokeProblem && <p role="alert">{revokeProblem}</p>}
      {data && data.invitations.length === 0 && <p>None.</p>}
      {data && data.invitations.length > 0 && (
        <table>
          <caption className="visually-hidden">Pending invitations</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{ROLE_LABELS[i.role]}</td>
                <td>{new Date(i.expiresAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Revoke the invitation of ${i.email}`}
                    onClick={() => {
                      setRevokeProblem(null);
                      void revoke({ variables: { id: i.id } })
                        .then(() => refetch())
                        .catch((e: unknown) => setRevokeProblem(errorText(e)));
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
