import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every value the dashboard shows comes from visitors' traffic (UTM values, URLs, referrers, event types):
// it is rendered as text, never parsed as HTML, and nothing is run from a string. The browser tests check
// the seeded values (dashboard.test.ts); this keeps every path of the source honest, seeded or not.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const FORBIDDEN: Array<[RegExp, string]> = [
  [/dangerouslySetInnerHTML/, 'dangerouslySetInnerHTML'],
  [/\.(innerHTML|outerHTML)\b/, 'innerHTML / outerHTML'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
  [/\bdocument\.write(ln)?\s*\(/, 'document.write'],
  [/\bcreateContextualFragment\b/, 'createContextualFragment'],
  [/(^|[^.\w])eval\s*\(/, 'eval'],
  [/\bnew\s+Function\s*\(/, 'new Function'],
  [/\bsetTimeout\s*\(\s*['"`]/, 'setTimeout with a string'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(tsx?|jsx?)$/.test(entry.name) ? [path] : [];
  });
}

describe('the dashboard source (apps/dashboard/src)', () => {
  it('renders traffic values as text: no HTML parsing, no code from strings', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, name] of FORBIDDEN) {
            if (pattern.test(line)) found.push(`${relative(SRC, file)}:${i + 1}: ${name}`);
          }
        });
    }
    expect(found).toEqual([]);
  });
});
