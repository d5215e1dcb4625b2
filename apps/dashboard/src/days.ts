/** The calendar day of `at` in `timeZone` (`YYYY-MM-DD`); the browser's own day if the zone is unknown. */
export function dayIn(timeZone: string, at: Date = new Date()): string {
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  } catch {
    return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
  }
}

/** `day` (`YYYY-MM-DD`) moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first and last of the `n` days ending today in `timeZone` (the server's `30d` for n = 30). */
export function lastDays(n: number, timeZone: string, at: Date = new Date()): [string, string] {
  const today = dayIn(timeZone, at);
  return [addDays(today, 1 - n), today];
}
