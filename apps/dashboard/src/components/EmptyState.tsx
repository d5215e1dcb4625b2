import type { JSX } from 'preact';
import type { Me } from '../api.js';
import { useMe } from '../hooks.js';
import { Link, useLocation } from '../router.js';
import { parseView, serializeView } from '../view.js';
import { InstallSnippets } from './Snippets.js';

/** Whether the account has never stored a session in this environment (unknown → it has). */
export function hasNoData(me: Me, env: 'live' | 'test'): boolean {
  return me.data ? me.data[env] === false : false;
}

/** "No data yet": the install snippet instead of zeros, and a link to the test data when there is some. */
export function EmptyState(props: { me: Me }): JSX.Element {
  const location = useLocation();
  const view = parseView(location.search);
  // Asks again every 5 s: the first page view replaces this with the reports.
  useMe({ refetchInterval: 5_000 });
  const keysHref = props.me.user.role === 'admin' ? '/keys' : null;
  return (
    <section class="panel empty" aria-labelledby="empty-title">
      <h2 id="empty-title">No data yet</h2>
      <p>
        {view.env === 'test'
          ? 'This account has no test traffic yet. '
          : 'This account has no live traffic yet. '}
        Add the middleware to your app with {view.env === 'test' ? 'a test' : 'a live'} ingest key and the
        first page views show up here within seconds.
        {keysHref && (
          <>
            {' '}
            <Link href={keysHref}>Create an API key</Link>.
          </>
        )}
      </p>
      {view.env === 'live' && props.me.data?.test && (
        <p>
          <Link href={location.path + serializeView({ ...view, env: 'test' })}>View test data</Link>
        </p>
      )}
      <InstallSnippets idPrefix="empty-install" />
    </section>
  );
}
