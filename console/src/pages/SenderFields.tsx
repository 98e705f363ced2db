import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { routeLabel, senderChoice, type SenderChoice, type SenderRoute } from '../sender';

// Routes and carrier accounts need the admin scope: a member without it sees no choice and
// sends through the organization's routes in their order.
const SENDERS = graphql(`
  query ConsoleSenders {
    routes {
      id
      name
      kind
      enabled
      carrierAccountId
    }
    carrierAccounts {
      id
      numbers {
        number
      }
    }
  }
`);

export interface Senders {
  /** The organization's enabled routes: the choices. */
  routes: readonly SenderRoute[];
  /** Every route, disabled ones too (a campaign's sender may have been disabled since). */
  allRoutes: readonly SenderRoute[];
  routeId: string;
  setRouteId(id: string): void;
  /** The chosen sender from the form's fields (senderFrom, senderFallback). */
  choiceOf(form: FormData): SenderChoice | null;
  numbers: readonly { number: string }[];
  route?: SenderRoute;
}

export function useSenders(): Senders {
  const senders = useQuery(SENDERS);
  const [routeId, setRouteId] = useState('');
  const allRoutes = senders.data?.routes ?? [];
  const routes = allRoutes.filter((r) => r.enabled);
  const route = routes.find((r) => r.id === routeId);
  const numbers = route?.carrierAccountId
    ? (senders.data?.carrierAccounts.find((a) => a.id === route.carrierAccountId)?.numbers ?? [])
    : [];
  const choiceOf = (form: FormData) =>
    senderChoice({
      routeId,
      from: String(form.get('senderFrom') ?? ''),
      fallback: form.get('senderFallback') === 'on',
    });
  return { routes, allRoutes, routeId, setRouteId, choiceOf, numbers, route };
}

/** "Send from": a route, then its number (a SIM of the pool or a carrier number) and fallback. */
export function SenderFields({ senders }: { senders: Senders }) {
  const { route, numbers } = senders;
  return (
    <>
      <label>
        Send from
        <select
          name="senderRouteId"
          value={senders.routeId}
          onChange={(e) => senders.setRouteId(e.target.value)}
        >
          <option value="">The organization’s routes, in their order</option>
          {senders.routes.map((r) => (
            <option key={r.id} value={r.id}>
              {routeLabel(r)}
            </option>
          ))}
        </select>
      </label>
      {route && (
        <>
          <label>
            {route.kind === 'DEVICE_POOL'
              ? 'SIM number (optional: only that SIM sends)'
              : 'Sender number (optional)'}
            <input
              name="senderFrom"
              type="tel"
              list="sender-numbers"
              placeholder={numbers[0]?.number ?? '+14155550100'}
            />
            <datalist id="sender-numbers">
              {numbers.map((n) => (
                <option key={n.number} value={n.number} />
              ))}
            </datalist>
          </label>
          <label className="check">
            <input name="senderFallback" type="checkbox" /> When this route cannot send, use the
            other routes
          </label>
        </>
      )}
    </>
  );
}
