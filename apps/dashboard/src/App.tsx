import { useQueryClient } from '@tanstack/preact-query';
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { apiJson, type Me, setSession, setUnauthorizedHandler } from './api.js';
import { ErrorBox } from './components/Panel.js';
import { useMe } from './hooks.js';
import { EventsPage } from './pages/Events.js';
import { KeysPage } from './pages/Keys.js';
import { LoginPage } from './pages/Login.js';
import { OverviewPage } from './pages/Overview.js';
import { SourcesPage } from './pages/Sources.js';
import { Link, navigate, safeReturnPath, useLocation } from './router.js';

const PAGES: Record<string, { title: string; nav: string }> = {
  '/': { title: 'Overview', nav: 'Overview' },
  '/sources': { title: 'Sources', nav: 'Sources' },
  '/events': { title: 'Recent events', nav: 'Recent events' },
  '/keys': { title: 'API keys', nav: 'API keys' },
};

function loginHref(returnTo: string): string {
  return returnTo === '/' ? '/login' : `/login?next=${encodeURIComponent(returnTo)}`;
}

export function App(): JSX.Element {
  const location = useLocation();
  const me = useMe();
  const client = useQueryClient();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setSession(null);
      client.setQueryData(['me'], null);
    });
  }, [client]);

  const signedIn = me.data ?? null;
  const onLogin = location.path === '/login';

  useEffect(() => {
    if (me.isPending || me.isError) return;
    if (!signedIn && !onLogin) {
      navigate(loginHref(window.location.pathname + window.location.search), { replace: true });
    }
    if (signedIn && onLogin) {
      navigate(safeReturnPath(new URLSearchParams(window.location.search).get('next')), { replace: true });
    }
  }, [me.isPending, me.isError, signedIn, onLogin]);

  useEffect(() => {
    const page = PAGES[location.path];
    document.title = onLogin ? 'Sign in · mbuzz' : page ? `${page.title} · mbuzz` : 'Not found · mbuzz';
  }, [location.path, onLogin]);

  if (me.isPending) {
    return <div class="boot" aria-busy="true" />;
  }
  if (me.isError) {
    return (
      <main class="login" id="main">
        <ErrorBox error={me.error} onRetry={() => me.refetch()} />
      </main>
    );
  }
  if (onLogin) {
    return signedIn ? <div class="boot" aria-busy="true" /> : <LoginPage />;
  }
  if (!signedIn) return <div class="boot" aria-busy="true" />;
  return <Shell me={signedIn} />;
}

function Shell(props: { me: Me }): JSX.Element {
  const location = useLocation();
  const client = useQueryClient();
  const { me } = props;
  const isAdmin = me.user.role === 'admin';
  const search = location.path === '/keys' ? '' : window.location.search;
  const nav = Object.entries(PAGES).filter(([path]) => path !== '/keys' || isAdmin);

  const signOut = async () => {
    try {
      await apiJson<void>('/auth/logout', { method: 'POST' });
    } catch {
      // Signed out anyway: the cookie is cleared or already invalid.
    }
    setSession(null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    client.setQueryData(['me'], null);
    navigate('/login', { replace: true });
  };

  let page: JSX.Element;
  switch (location.path) {
    case '/':
      page = <OverviewPage me={me} />;
      break;
    case '/sources':
      page = <SourcesPage me={me} />;
      break;
    case '/events':
      page = <EventsPage me={me} />;
      break;
    case '/keys':
      page = <KeysPage me={me} />;
      break;
    default:
      page = (
        <section class="panel">
          <h1>Page not found</h1>
          <p>
            <Link href="/">Go to the overview</Link>
          </p>
        </section>
      );
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-inner">
          <Link href={`/${search}`} class="brand">
            mbuzz
          </Link>
          <nav aria-label="Main">
            <ul>
              {nav.map(([path, { nav: label }]) => {
                const href = path === '/keys' ? path : path + search;
                return (
                  <li key={path}>
                    <Link href={href} aria-current={location.path === path ? 'page' : undefined}>
                      {label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div class="account">
            <span class="account-name" title={me.user.email}>
              {me.account.name}
            </span>
            <button type="button" class="secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" class="content">
        {page}
      </main>
    </>
  );
}
