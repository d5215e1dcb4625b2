import { useQuery } from '@tanstack/preact-query';
import type { ComponentChildren, JSX } from 'preact';
import { type QueryBody, queryCsv, runQuery } from '../api.js';
import { downloadText, formatMetric } from '../format.js';
import { isBusy } from '../hooks.js';
import { baseQuery, updateView, type View, withFilter } from '../view.js';
import { ExportCsv } from './ExportCsv.js';
import { ErrorBox, Panel } from './Panel.js';
import { TableScroll } from './TableScroll.js';

const COLUMNS: Array<[metric: string, label: string]> = [
  ['visitors', 'Visitors'],
  ['sessions', 'Sessions'],
  ['page_views', 'Page views'],
  ['bounce_rate', 'Bounce rate'],
];

/** The report query of a breakdown table: one dimension, the table's metrics, the view's range and filters. */
export function breakdownQuery(
  view: View,
  dimension: string,
  convType: string | null,
  limit: number,
): QueryBody {
  const metrics = COLUMNS.map(([m]) => m);
  if (convType) metrics.push(`conversions:${convType}`, `conversion_rate:${convType}`);
  return {
    ...baseQuery(view),
    metrics,
    dimensions: [dimension],
    order_by: [
      ['visitors', 'desc'],
      ['sessions', 'desc'],
    ],
    limit,
  };
}

/** A breakdown table (channels, sources, campaigns…): click a value to filter every panel by it. */
export function ReportTable(props: {
  title: string;
  titleId: string;
  dimension: string;
  dimensionLabel: string;
  view: View;
  path: string;
  convType: string | null;
  convReady: boolean;
  limit: number;
  csvName: string;
  footer?: ComponentChildren;
}): JSX.Element {
  const body = breakdownQuery(props.view, props.dimension, props.convType, props.limit);
  const query = useQuery({
    queryKey: ['query', body],
    queryFn: ({ signal }) => runQuery(body, signal),
    enabled: props.convReady,
    // While the range or filters change, the old rows stay (dimmed); another tab or metric set starts empty.
    placeholderData: (previous) =>
      previous &&
      previous.meta.dimensions[0] === props.dimension &&
      previous.meta.metrics.join() === body.metrics.join()
        ? previous
        : undefined,
  });
  const columns = [...COLUMNS];
  if (props.convType) columns.push(['conversions', 'Conversions'], ['conversion_rate', 'Conversion rate']);
  const rows = query.data?.results ?? [];
  const metricNames = body.metrics;
  const exportCsv = async () => {
    const csv = await queryCsv({ ...body, limit: 10_000 });
    const range = query.data?.meta.date_range;
    downloadText(
      `mbuzz-${props.csvName}-${range ? range.join('_') : String(body.date_range).replace(',', '_')}.csv`,
      csv,
    );
  };
  return (
    <Panel
      title={props.title}
      labelId={props.titleId}
      busy={isBusy(query)}
      actions={<ExportCsv make={exportCsv} />}
    >
      {query.isError && <ErrorBox error={query.error} onRetry={() => query.refetch()} />}
      {!query.data && !query.isError && <p class="muted placeholder">Loading…</p>}
      {query.data && (
        <TableScroll label={props.title}>
          <table>
            <thead>
              <tr>
                <th scope="col">{props.dimensionLabel}</th>
                {columns.map(([metric, label]) => (
                  <th scope="col" class="num" key={metric}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={columns.length + 1} class="muted">
                    No sessions in this range.
                  </td>
                </tr>
              )}
              {rows.map((row) => {
                const value = row.dimensions[0] ?? '';
                return (
                  <tr key={value}>
                    <td class="dim">
                      <button
                        type="button"
                        class="link"
                        title={`Filter by ${props.dimensionLabel} ${value}`}
                        onClick={() =>
                          updateView(props.path, props.view, {
                            filters: withFilter(props.view.filters, props.dimension, value),
                          })
                        }
                      >
                        {value}
                      </button>
                    </td>
                    {row.metrics.map((raw, i) => (
                      <td class="num" data-value={String(raw)} key={metricNames[i]}>
                        {formatMetric(metricNames[i] ?? '', raw)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
      {query.data && query.data.meta.total_rows > rows.length && (
        <p class="more muted small">
          The top {rows.length} of {query.data.meta.total_rows.toLocaleString('en-US')} rows; Export CSV has
          them all (up to 10,000).
        </p>
      )}
      {query.data && props.footer}
    </Panel>
  );
}
