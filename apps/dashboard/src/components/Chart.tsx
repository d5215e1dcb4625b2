import 'uplot/dist/uPlot.min.css';
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatBucket, formatMetric } from '../format.js';

/**
 * The visitors time series (uPlot): one point per bucket label of the API, the previous period dashed.
 * The <figure> gets data-ready="true" once it is drawn with the answer of the current query.
 */
export function VisitorsChart(props: {
  labels: string[];
  values: Array<number | null>;
  previous: number[] | null;
  current: boolean;
}): JSX.Element {
  const figure = useRef<HTMLElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const { labels, values, previous, current } = props;

  useEffect(() => {
    const fig = figure.current;
    const el = box.current;
    if (!fig || !el) return;
    fig.setAttribute('data-ready', 'false');
    const xs = labels.map((_, i) => i);
    const width = Math.max(200, el.clientWidth);
    const tickEvery = (space: number) =>
      Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor(space / 70))));
    const series: uPlot.Series[] = [
      {
        label: labels.length && labels[0]?.includes(' ') ? 'Hour' : 'Day',
        value: (_u, i) => labels[i] ?? '',
      },
      {
        label: 'Visitors',
        stroke: '#4f46e5',
        width: 2,
        fill: 'rgba(79, 70, 229, 0.08)',
        points: { show: labels.length <= 40 },
        value: (_u, v) => formatMetric('visitors', v),
      },
    ];
    const data: uPlot.AlignedData = [xs, values];
    if (previous) {
      series.push({
        label: 'Previous period',
        stroke: '#9ca3af',
        width: 1.5,
        dash: [5, 4],
        points: { show: false },
        value: (_u, v) => formatMetric('visitors', v),
      });
      data.push(previous);
    }
    const chart = new uPlot(
      {
        width,
        height: 240,
        series,
        scales: {
          x: { time: false },
          y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
        },
        axes: [
          {
            splits: (u) => {
              const step = tickEvery(u.bbox.width / uPlot.pxRatio);
              return xs.filter((i) => i % step === 0);
            },
            values: (_u, splits) => splits.map((i) => formatBucket(labels[i] ?? '')),
            grid: { show: false },
            stroke: '#4b5563',
          },
          {
            incrs: [
              1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7,
            ],
            values: (_u, splits) => splits.map((v) => formatMetric('visitors', v)),
            stroke: '#4b5563',
            grid: { stroke: '#e5e7eb', width: 1 },
            size: 56,
          },
        ],
        cursor: { y: false, points: { size: 7 } },
        legend: { live: true },
      },
      data,
      el,
    );
    fig.setAttribute('data-ready', current ? 'true' : 'false');
    const observer = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - chart.width) > 1) chart.setSize({ width: w, height: 240 });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      fig.setAttribute('data-ready', 'false');
    };
  }, [labels, values, previous, current]);

  return (
    <figure aria-label="Visitors over time" class="chart" ref={figure}>
      <div ref={box} class="chart-box" />
      <figcaption class="sr-only">{summary(labels, values)}</figcaption>
    </figure>
  );
}

/** The chart in one sentence, for screen readers. */
function summary(labels: string[], values: Array<number | null>): string {
  let peak = -1;
  values.forEach((v, i) => {
    if (v !== null && (peak < 0 || v > (values[peak] ?? 0))) peak = i;
  });
  if (labels.length === 0 || peak < 0) return 'No data in this range.';
  const unit = labels[0]?.includes(' ') ? 'hour' : 'day';
  return `Visitors per ${unit} from ${formatBucket(labels[0] ?? '')} to ${formatBucket(labels.at(-1) ?? '')}; the most, ${formatMetric('visitors', values[peak])}, on ${formatBucket(labels[peak] ?? '')}.`;
}
