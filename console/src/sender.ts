// The sender of a send or a campaign (a route preference), from the "Send from" fields.

export type SenderRoute = { id: string; name: string; kind: string };

export interface SenderChoice {
  routeId: string;
  from: string | null;
  fallback: boolean;
}

export function routeLabel(route: SenderRoute): string {
  return `${route.name} (${route.kind === 'DEVICE_POOL' ? 'phones' : route.kind.toLowerCase()})`;
}

/**
 * The chosen sender from the form: none when no route is chosen (the organization's routes in
 * their order), else the route, its number when one is typed, and whether other routes may follow.
 */
export function senderChoice(form: {
  routeId: string;
  from?: string | null;
  fallback?: boolean;
}): SenderChoice | null {
  if (!form.routeId) return null;
  const from = (form.from ?? '').trim();
  return { routeId: form.routeId, from: from || null, fallback: form.fallback === true };
}

/** A campaign's sender in words: " · from <route> <number>, then the other routes" or " only". */
export function senderText(
  sender: SenderChoice | null | undefined,
  routes: readonly SenderRoute[],
): string {
  if (!sender) return '';
  const route = routes.find((r) => r.id === sender.routeId);
  return (
    ` · from ${route ? routeLabel(route) : 'route ' + sender.routeId.slice(0, 8)}` +
    (sender.from ? ` ${sender.from}` : '') +
    (sender.fallback ? ', then the other routes' : ' only')
  );
}
