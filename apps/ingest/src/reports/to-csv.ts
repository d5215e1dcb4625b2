import type { QueryAnswer } from './run-query.js';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; formula-safe. */
export function csvField(value: string | number): string {
  let text = String(value);
  // A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets: visitors' values
  // (UTM, referrers) must stay text, so such strings get a leading apostrophe. Numbers are left alone.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The rows of an answer as CSV lines (header first, CRLF endings, no comparison), yielded one by one so
 * the HTTP layer can stream them.
 */
export function* toCsvLines(answer: QueryAnswer): Generator<string> {
  yield `${[...answer.meta.dimensions, ...answer.meta.metrics].map(csvField).join(',')}\r\n`;
  for (const row of answer.results) {
    yield `${[...row.dimensions, ...row.metrics].map(csvField).join(',')}\r\n`;
  }
}
