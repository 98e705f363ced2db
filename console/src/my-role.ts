import { useQuery } from '@apollo/client/react';
import { graphql } from './gql';
import { roleOf } from './role';

const MY_ROLE = graphql(`
  query ConsoleMyRole {
    me {
      id
    }
    organization {
      id
      members {
        role
        user {
          id
        }
      }
    }
  }
`);

/** Whether the signed-in user owns the organization (CUSTOMER); undefined while loading. */
export function useIsOwner(): boolean | undefined {
  const { data } = useQuery(MY_ROLE);
  if (!data) return undefined;
  return roleOf(data.me.id, data.organization.members) === 'CUSTOMER';
}
