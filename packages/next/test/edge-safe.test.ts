import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * The middleware entry must run on the Edge runtime: everything it imports, followed through the built
 * files of @mbuzz/next and @mbuzz/core, must be free of Node built-ins and Node-only packages.
 */
it('the middleware entry (ESM build) imports nothing Node-only', () => {
  const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const require = createRequire(entry);
  const packages = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec = ''] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*["']([^"']+)["']/g)) {
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
      else if (spec === '@mbuzz/core')
        walk(require.resolve('@mbuzz/core').replace(/index\.cjs$/, 'index.js'));
      else packages.add(spec);
    }
  };
  walk(entry);
  expect(packages).toContain('next/server');
  const nodeOnly = [...packages].filter(
    (spec) =>
      spec.startsWith('node:') ||
      builtinModules.includes(spec.split('/')[0] ?? '') ||
      spec.startsWith('undici'),
  );
  expect(nodeOnly).toEqual([]);
});
