import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { type Me, type QueryBody, runQuery } from '../api.js';
import { VisitorsChart } from '../components/Chart.js';
import { Controls } from '../components/Controls.js';
import { EmptyState, hasNoData } from '../components/EmptyState.js';
import { ErrorBox, Panel } from '../components/Panel.js';
import { ReportTable } from '../components/ReportTable.js';
import { formatChange, formatDay, formatMetric } from '../format.js';
import { isBusy, useConversionType } from '../hooks.js';
import { Link, useLocation } from '../router.js';
import { baseQuery, parseView, serializeView, updateView, type View } from '../view.js';

const CARDS: Array<{ key: string; label: string; lowerIsBetter?: boolean }> = [
  { key: 'visitors', label: 'Visitors' },
  { key: 'sessions', label: 'Sessions' },
  { key: 'page_views', label: 'Page views' },
  { key: 'views_per_session', label: 'Views per session' },
  { key: 'bounce_rate', label: 'Bounce rate', lowerIsBetter: true },
];

export function OverviewPage(props: { me: Me }): JSX.Element {
  const location = useLocation();
  const view = parseView(location.search);
  const conv = useConversionType(view.env, view.conv);
  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <ConversionSelect view={view} path={location.path} options={conv.options} selected={conv.type} />
      </div>
      <Controls />
      {hasNoData(props.me, view.env) ? (
        <EmptyState me={props.me} />
      ) : (
        <>
          <MetricCards view={view} convType={conv.type} convReady={conv.ready} />
          <TimeSeries view={view} />
          <ReportTable
            title="Top channels"
            titleId="top-channels"
            dimension="channel"
            dimensionLabel="Channel"
            view={view}
            path={location.path}
            convType={conv.type}
            convReady={conv.ready}
            limit={10}
            csvName="channels"
            footer={
              <p class="more">
                <Link href={`/sources${serializeView({ ...view, tab: 'channels' })}`}>All sources</Link>
              </p>
            }
          />
        </>
      )}
    </>
  );
}

/** "Conversion event": the event types of the account but page_view; the choice goes in `conv`. */
export function ConversionSelect(props: {
  view: View;
  path: string;
  options: string[];
  selected: string | null;
}): JSX.Element | null {
  const options =
    props.selected && !props.options.includes(props.selected)
      ? [props.selected, ...props.options]
      : props.options;
  return (
    <div class="field inline">
      <label htmlFor="conversion-event">Conversion event</label>
      <select
        id="conversion-event"
        value={props.selected ?? ''}
        disabled={options.length === 0}
        onChange={(e) => updateView(props.path, props.view, { conv: e.currentTarget.value || null })}
      >
        {options.length === 0 && <option value="">No custom events yet</option>}
        {options.map((type) => (
          <option value={type} key={type}>
            {type}
          </option>
        ))}
      </select>
    </div>
  );
}

function MetricCards(props: { view: View; convType: string | null; convReady: boolean }): JSX.Element {
  const { view, convType } = props;
  const metrics = CARDS.map((c) => c.key);
  if (convType) metrics.push(`conversions:${convType}`, `conversion_rate:${convType}`);
  const body: QueryBody = { ...baseQuery(view), metrics, compare: 'previous_period' };
  const query = useQuery({
    queryKey: ['query', body],
    queryFn: ({ signal }) => runQuery(body, signal),
    enabled: props.convReady,
    placeholderData: keepPreviousData,
  });
  const busy = isBusy(query);
  const row = query.data?.results[0];
  // The metrics of the answer in use (a placeholder answer may have another conversion type).
  const answerMetrics = query.data?.meta.metrics ?? [];
  const metricOf = (name: string) => {
    const i = answerMetrics.indexOf(name);
    if (i < 0 || !row) return { value: null, change: null, previous: null };
    return {
      value: row.metrics[i] ?? null,
      change: row.comparison?.change[i] ?? null,
      previous: row.comparison?.metrics[i] ?? null,
    };
  };
  const cards = [...CARDS, { key: 'conversions', label: 'Conversions', lowerIsBetter: false }];
  const range = query.data?.meta.date_range;
  const compared = query.data?.meta.comparison_date_range;
  return (
    <section class="metrics" aria-label="Key metrics" aria-busy={busy ? 'true' : 'false'}>
      {query.isError && <ErrorBox error={query.error} onRetry={() => query.refetch()} />}
      <div class="cards">
        {cards.map((card) => {
          const name = card.key === 'conversions' ? (convType ? `conversions:${convType}` : null) : card.key;
          const { value, change, previous } = name
            ? metricOf(name)
            : { value: null, change: null, previous: null };
          const rate = convType ? metricOf(`conversion_rate:${convType}`).value : null;
          const good =
            change === null || change === 0 ? '' : change > 0 !== !!card.lowerIsBetter ? 'up' : 'down';
          return (
            <section
              class="card metric"
              data-metric={card.key}
              key={card.key}
              aria-busy={busy ? 'true' : 'false'}
            >
              <h2>{card.label}</h2>
              {card.key === 'conversions' && !convType ? (
                <p class="muted small">No custom events yet: track one (e.g. signup) to see conversions.</p>
              ) : (
                <>
                  <p class="value" data-value={value === null ? '' : String(value)}>
                    {value === null ? '—' : formatMetric(card.key, value)}
                  </p>
                  <p class={`change ${good}`} data-change={change === null ? '' : String(change)}>
                    {formatChange(change)}
                    <span class="muted">
                      {' '}
                      vs {previous === null ? '—' : formatMetric(card.key, previous)}
                    </span>
                  </p>
                  {card.key === 'conversions' && (
                    <p class="muted small">
                      {convType} · {rate === null ? '—' : formatMetric('conversion_rate:', rate)} of sessions
                    </p>
                  )}
                </>
              )}
            </section>
          );
        })}
      </div>
      {range && (
        <p class="muted small period">
          {formatDay(range[0])} – {formatDay(range[1])}
          {compared && ` compared with ${formatDay(compared[0])} – ${formatDay(compared[1])}`} ·{' '}
          {query.data?.meta.timezone}
        </p>
      )}
    </section>
  );
}

function TimeSeries(props: { view: View }): JSX.Element {
  const { view } = props;
  const body: QueryBody = {
    ...baseQuery(view),
    metrics: ['visitors'],
    dimensions: [view.range === 'today' ? 'time:hour' : 'time:day'],
    compare: 'previous_period',
    limit: 10_000,
  };
  const query = useQuery({
    queryKey: ['query', body],
    queryFn: ({ signal }) => runQuery(body, signal),
    placeholderData: keepPreviousData,
  });
  const series = useMemo(() => {
    const results = query.data?.results ?? [];
    // Buckets after the current one (the rest of today) have no data yet: a gap, not zeros.
    const now = nowLabel(query.data?.meta.timezone ?? 'UTC');
    return {
      labels: results.map((r) => r.dimensions[0] ?? ''),
      values: results.map((r) => ((r.dimensions[0] ?? '') > now ? null : (r.metrics[0] ?? 0))),
      previous: results.every((r) => r.comparison) ? results.map((r) => r.comparison?.metrics[0] ?? 0) : null,
    };
  }, [query.data]);
  return (
    <Panel title="Visitors over time" labelId="visitors-over-time" busy={isBusy(query)} class="chart-panel">
      {query.isError && <ErrorBox error={query.error} onRetry={() => query.refetch()} />}
      {query.data && (
        <VisitorsChart
          labels={series.labels}
          values={series.values}
          previous={series.previous}
          current={!query.isPlaceholderData}
        />
      )}
    </Panel>
  );
}

/** The label of the current hour in a time zone ("2026-12-03 14:00"), to compare with the API's buckets. */
function nowLabel(timeZone: string): string {
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date())
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:00`;
  } catch {
    return '9999';
  }
}
