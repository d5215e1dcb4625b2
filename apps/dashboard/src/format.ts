/** Numbers in en-US: integers with separators, rates with one decimal and a % sign. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export type MetricKind = 'count' | 'ratio' | 'percent';

export function metricKind(metric: string): MetricKind {
  if (metric === 'views_per_session') return 'ratio';
  if (metric === 'bounce_rate' || metric.startsWith('conversion_rate:')) return 'percent';
  return 'count';
}

export function formatMetric(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  switch (metricKind(metric)) {
    case 'ratio':
      return twoDecimals.format(value);
    case 'percent':
      return `${oneDecimal.format(value)}%`;
    default:
      return integer.format(value);
  }
}

/** A change in percent: "+20.0%", "−8.8%", "0.0%"; "—" without an earlier value. */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined) return '—';
  const text = `${oneDecimal.format(Math.abs(change))}%`;
  if (change > 0) return `+${text}`;
  if (change < 0) return `−${text}`;
  return text;
}

const dateTime = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export function formatTime(iso: string, timeZone?: string | null): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (timeZone) {
    try {
      return new Intl.DateTimeFormat('en-US', {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
        timeZone,
      }).format(date);
    } catch {
      // An unknown zone: the browser's.
    }
  }
  return dateTime.format(date);
}

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** A time bucket label of the API ("2026-11-30", "2026-11-30 14:00", "2026-11") shortened for an axis. */
export function formatBucket(label: string): string {
  const hour = /^\d{4}-\d{2}-\d{2} (\d{2}:\d{2})$/.exec(label);
  if (hour) return hour[1] ?? label;
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) return dayFormat.format(new Date(`${label}T00:00:00Z`));
  return label;
}

export function formatDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  return new Intl.DateTimeFormat('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${day}T00:00:00Z`));
}

/** CSV of rows, cells that a spreadsheet would run as a formula get a leading "'" (as the API does). */
export function toCsv(header: string[], rows: Array<Array<string | number | null>>): string {
  const cell = (value: string | number | null) => {
    let text = value === null ? '' : String(value);
    // As the server's CSV (apps/ingest/src/reports/to-csv.ts): a spreadsheet never runs a cell as a formula.
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Saves text as a file through an <a download> (the browser's download). */
export function downloadText(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
