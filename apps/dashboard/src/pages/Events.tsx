import { useQuery } from '@tanstack/preact-query';
import type { JSX } from 'preact';
import { apiJson, type Me, type RecentEvent } from '../api.js';
import { Controls } from '../components/Controls.js';
import { EmptyState, hasNoData } from '../components/EmptyState.js';
import { ExportCsv } from '../components/ExportCsv.js';
import { ErrorBox, Panel } from '../components/Panel.js';
import { TableScroll } from '../components/TableScroll.js';
import { downloadText, formatTime, toCsv } from '../format.js';
import { isBusy } from '../hooks.js';
import { useLocation } from '../router.js';
import { parseView, updateView, type View, type ViewFilter, withFilter } from '../view.js';

const LIMIT = 50;
/** The filters the recent events can honour: those on the session's channel and source. */
const EVENT_DIMENSIONS: Record<string, 'channel' | 'source'> = { channel: 'channel', source: 'source' };

function passes(event: RecentEvent, filters: ViewFilter[]): boolean {
  return filters.every((f) => {
    const field = EVENT_DIMENSIONS[f.dimension];
    if (!field) return true;
    const value = event[field] ?? '(none)';
    if (f.op === 'is') return value === f.value;
    if (f.op === 'is_not') return value !== f.value;
    return value.toLowerCase().includes(f.value.toLowerCase());
  });
}

export function EventsPage(props: { me: Me }): JSX.Element {
  const location = useLocation();
  const view = parseView(location.search);
  const empty = hasNoData(props.me, view.env);
  const query = useQuery({
    queryKey: ['recent', view.env],
    queryFn: ({ signal }) =>
      apiJson<{ events: RecentEvent[] }>(
        `/events/recent?limit=${LIMIT}${view.env === 'test' ? '&environment=test' : ''}`,
        {
          signal,
        },
      ),
    refetchInterval: 5_000,
    refetchIntervalInBackground: false,
    staleTime: 0,
    enabled: !empty,
  });
  const events = (query.data?.events ?? []).filter((e) => passes(e, view.filters));
  const ignored = view.filters.filter((f) => !EVENT_DIMENSIONS[f.dimension]);
  const timeZone = props.me.account.timezone ?? null;

  const exportCsv = async () => {
    const csv = toCsv(
      ['occurred_at', 'event_type', 'path', 'channel', 'source', 'visitor_id', 'session_id', 'event_id'],
      events.map((e) => [
        e.occurred_at,
        e.event_type,
        e.path,
        e.channel,
        e.source,
        e.visitor_id,
        e.session_id,
        e.event_id,
      ]),
    );
    downloadText(`mbuzz-recent-events-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, csv);
  };

  return (
    <>
      <div class="page-head">
        <h1>Recent events</h1>
      </div>
      <Controls range={false} />
      {empty ? (
        <EmptyState me={props.me} />
      ) : (
        <Panel
          title={`Latest ${LIMIT} events`}
          labelId="recent-events"
          busy={isBusy(query)}
          actions={<ExportCsv make={exportCsv} disabled={!query.data} />}
        >
          <p class="muted small">
            Newest first, refreshed every 5 seconds{timeZone ? ` · times in ${timeZone}` : ''}.
            {ignored.length > 0 && ' Only the channel and source filters apply here.'}
          </p>
          {query.isError && <ErrorBox error={query.error} onRetry={() => query.refetch()} />}
          {query.data && <EventsTable events={events} view={view} path={location.path} timeZone={timeZone} />}
        </Panel>
      )}
    </>
  );
}

function EventsTable(props: { events: RecentEvent[]; view: View; path: string; timeZone: string | null }) {
  const filterBy = (dimension: string, value: string) =>
    updateView(props.path, props.view, { filters: withFilter(props.view.filters, dimension, value) });
  return (
    <TableScroll label={'Recent events'}>
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Path</th>
            <th scope="col">Channel</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {props.events.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                No events yet.
              </td>
            </tr>
          )}
          {props.events.map((e) => (
            <tr key={e.event_id} data-event-id={e.event_id}>
              <td class="nowrap">
                <time dateTime={e.occurred_at}>{formatTime(e.occurred_at, props.timeZone)}</time>
              </td>
              <td>{e.event_type}</td>
              <td class="wrap">{e.path ?? ''}</td>
              <td>
                {e.channel === null ? (
                  '(none)'
                ) : (
                  <button type="button" class="link" onClick={() => filterBy('channel', e.channel ?? '')}>
                    {e.channel}
                  </button>
                )}
              </td>
              <td class="wrap">
                {e.source === null ? (
                  '(none)'
                ) : (
                  <button type="button" class="link" onClick={() => filterBy('source', e.source ?? '')}>
                    {e.source}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
