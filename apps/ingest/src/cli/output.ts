/** Where a command writes its result: JSON for scripts (`--json`) or text for people. */
export interface Output {
  readonly json: boolean;
  /** Prints `value` as one JSON document with `--json`, else the lines of `text()` (none: nothing). */
  result(value: unknown, text: () => string | string[]): void;
}

/**
 * @example
 * createOutput({ json: true }).result({ ok: 1 }, () => 'ok'); // prints {"ok":1}
 */
export function createOutput(options: { json: boolean }, write: (s: string) => void = stdout): Output {
  return {
    json: options.json,
    result(value, text) {
      if (options.json) write(`${JSON.stringify(value, null, 2)}\n`);
      else {
        const lines = text();
        if (Array.isArray(lines) && lines.length === 0) return;
        write(`${Array.isArray(lines) ? lines.join('\n') : lines}\n`);
      }
    },
  };
}

function stdout(s: string): void {
  process.stdout.write(s);
}

/**
 * Aligns rows under a header, two spaces between columns. Empty input prints just the header.
 *
 * @example
 * formatTable(['id', 'name'], [['1', 'Acme']]) // ['id  name', '1   Acme']
 */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `2025-11-06 10:30` in UTC, or `-`. */
export function formatTime(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 16).replace('T', ' ') : '-';
}
