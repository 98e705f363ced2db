import { useEffect, useRef, useState } from 'react';
import { useMutation } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { graphql } from './gql';
import { apollo } from './apollo';
import { errorText } from './errors';
import { Link, navigate, usePath } from './router';
import { endSession, isSignedIn, onSessionChange, refreshSession } from './session';
import { AuthPage } from './pages/AuthPage';
import { DashboardPage } from './pages/DashboardPage';
import { DevicesPage } from './pages/DevicesPage';
import { SendPage } from './pages/SendPage';
import { ConversationsPage } from './pages/ConversationsPage';
import { MessagesPage } from './pages/MessagesPage';
import { OptOutsPage } from './pages/OptOutsPage';
import { ApiTokensPage } from './pages/ApiTokensPage';
import { TeamPage } from './pages/TeamPage';
import { WebhooksPage } from './pages/WebhooksPage';
import { BillingPage } from './pages/BillingPage';
import { RoutesPage } from './pages/RoutesPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { ListsPage } from './pages/ListsPage';
import { CarriersPage } from './pages/CarriersPage';
import { GhlPage } from './pages/GhlPage';
import { ACCOUNT_LINK_PATHS, AccountLinkPage } from './pages/AccountLinkPage';
import { CompliancePage } from './pages/CompliancePage';
import { AuditLogPage } from './pages/AuditLogPage';
import { PrivacyPage } from './pages/PrivacyPage';
import { GOOGLE_CALLBACK_PATH, GoogleCallbackPage } from './pages/GoogleCallbackPage';

const LOG_OUT = graphql(`
  mutation ConsoleLogOut {
    logOut
  }
`);

const PAGES = [
  { path: '/', label: 'Dashboard', page: DashboardPage },
  { path: '/devices', label: 'Devices', page: DevicesPage },
  { path: '/send', label: 'Send', page: SendPage },
  { path: '/conversations', label: 'Conversations', page: ConversationsPage },
  { path: '/messages', label: 'Messages', page: MessagesPage },
  { path: '/opt-outs', label: 'Opt-outs', page: OptOutsPage },
  { path: '/lists', label: 'Lists', page: ListsPage },
  { path: '/campaigns', label: 'Campaigns', page: CampaignsPage },
  { path: '/routes', label: 'Routes', page: RoutesPage },
  { path: '/carriers', label: 'Carriers', page: CarriersPage },
  { path: '/webhooks', label: 'Webhooks', page: WebhooksPage },
  { path: '/api-tokens', label: 'API tokens', page: ApiTokensPage },
  { path: '/team', label: 'Team', page: TeamPage },
  { path: '/compliance', label: 'Compliance', page: CompliancePage },
  { path: '/audit-log', label: 'Audit log', page: AuditLogPage },
  { path: '/privacy', label: 'Privacy', page: PrivacyPage },
  { path: '/billing', label: 'Billing', page: BillingPage },
  { path: '/ghl', label: 'GoHighLevel', page: GhlPage },
];

export function App() {
  const path = usePath();
  const [signedIn, setSignedIn] = useState(isSignedIn());
  const [checked, setChecked] = useState(false);
  const [logOut] = useMutation(LOG_OUT);
  const [logOutProblem, setLogOutProblem] = useState<string | null>(null);

  useEffect(() => onSessionChange(setSignedIn), []);
  // After a page change, focus moves to the new page's content (screen readers announce it).
  const shownPath = useRef(path);
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    document.getElementById('main')?.focus();
  }, [path]);
  useEffect(() => {
    // Back from Google: the callback page starts the session (a refresh racing it could end it).
    if (location.pathname === GOOGLE_CALLBACK_PATH) return setChecked(true);
    // A reload: the access token is gone, the cookie may still hold a session.
    void refreshSession().finally(() => setChecked(true));
  }, []);

  if (ACCOUNT_LINK_PATHS.includes(path)) return <AccountLinkPage path={path} />;
  if (path === GOOGLE_CALLBACK_PATH) return <GoogleCallbackPage />;
  if (!checked) return <p className="loading">Loading…</p>;
  if (!signedIn) return <AuthPage />;

  const current = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const Page = current.page;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <strong className="brand">Switchboard</strong>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <Link href={p.path} aria-current={p.path === current.path ? 'page' : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            setLogOutProblem(null);
            try {
              // The session ends on the server first: a refusal keeps you signed in, and says so.
              await logOut();
            } catch (e) {
              // Already signed out on the server (an expired session): nothing left to refuse.
              const gone =
                CombinedGraphQLErrors.is(e) &&
                e.errors.some((x) => x.extensions?.code === 'UNAUTHENTICATED');
              if (!gone) {
                setLogOutProblem(`Log out failed: ${errorText(e)}`);
                return;
              }
            }
            await endSession();
            await apollo.clearStore();
            navigate('/');
          }}
        >
          Log out
        </button>
        {logOutProblem && <p role="alert">{logOutProblem}</p>}
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </div>
  );
}
