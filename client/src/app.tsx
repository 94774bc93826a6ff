// The shell: who is signed in, the urql client for them, the navigation and the lazily loaded views.
// Everything a view needs beyond this arrives with the view's own chunk.
import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { forgetSession, isStaff, loadSession, saveSession, type Session } from './session.ts';
import { SessionContext, useSession, type SessionApi } from './session-context.ts';
import { createUrqlClient } from './urql/client.ts';
import { LiveIndicator } from './ui/live-indicator.tsx';
import { NoticeProvider } from './ui/notices.tsx';
import { OfflineBanner } from './ui/offline-banner.tsx';

const SignIn = lazy(() => import('./views/sign-in/sign-in.tsx'));
const Dashboard = lazy(() => import('./views/dashboard/dashboard.tsx'));
const Tickets = lazy(() => import('./views/tickets/tickets-view.tsx'));
const Performance = lazy(() => import('./views/performance/performance.tsx'));
const ViewerName = lazy(() => import('./ui/viewer-name.tsx'));

export function App() {
  const [session, setSession] = useState(loadSession);
  const [, navigate] = useLocation();
  const forget = useCallback(() => {
    forgetSession();
    setSession(null);
  }, []);
  const setup = useMemo(() => createUrqlClient(session, forget), [session, forget]);
  const api = useMemo<SessionApi>(
    () => ({
      session,
      signIn(next) {
        saveSession(next);
        setSession(next);
      },
      async signOut() {
        // Revoke the token while we still hold it; the offline copy goes whatever the network says.
        await import('./sign-out.ts').then(({ revokeToken }) => revokeToken(setup.client)).catch(() => undefined);
        await setup.clearOfflineCopy().catch(() => undefined);
        forget();
        navigate('/sign-in');
      },
    }),
    [session, setup, forget, navigate],
  );
  return (
    <SessionContext.Provider value={api}>
      <Provider value={setup.client}>
        <NoticeProvider>
          <Shell>
            <Suspense
              fallback={
                <p className="loading" role="status">
                  Loading…
                </p>
              }
            >
              <Routes session={session} />
            </Suspense>
          </Shell>
        </NoticeProvider>
      </Provider>
    </SessionContext.Provider>
  );
}

function Routes({ session }: { session: Session | null }) {
  if (!session) {
    return (
      <Switch>
        <Route path="/sign-in" component={SignIn} />
        <Route>
          <Redirect to="/sign-in" replace />
        </Route>
      </Switch>
    );
  }
  return (
    <Switch>
      <Route path="/sign-in">
        <Redirect to="/tickets" replace />
      </Route>
      <Route path="/dashboard" component={isStaff(session) ? Dashboard : StaffOnly} />
      <Route path="/tickets/:id?" component={Tickets} />
      <Route path="/performance" component={Performance} />
      <Route path="/">
        <Redirect to="/tickets" replace />
      </Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const [location] = useLocation();
  const nav = [
    ...(isStaff(session) ? [{ href: '/dashboard', label: 'Dashboard' }] : []),
    { href: '/tickets', label: 'Tickets' },
    { href: '/performance', label: 'Performance' },
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">deskgraph</span>
        {session && (
          <nav aria-label="Main">
            {nav.map((item) => (
              <Link key={item.href} href={item.href} aria-current={location.startsWith(item.href) ? 'page' : undefined}>
                {item.label}
              </Link>
            ))}
          </nav>
        )}
        {session && (
          <div className="who">
            <LiveIndicator />
            <span>
              {/* The server's word on who this is (ui/viewer-name.tsx); the session's copy until it loads. */}
              <Suspense fallback={`${session.user.name} · ${session.user.organization.name}`}>
                <ViewerName session={session} />
              </Suspense>
            </span>
            <button type="button" className="secondary" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <OfflineBanner />
      <main id="main">{children}</main>
    </>
  );
}

function StaffOnly() {
  return <p className="empty">The dashboard is for agents and admins.</p>;
}

function NotFound() {
  return (
    <p className="empty">
      Nothing here. <Link href="/tickets">Go to the tickets</Link>.
    </p>
  );
}
