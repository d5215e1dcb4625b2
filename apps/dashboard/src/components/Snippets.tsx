import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Tabs } from './Tabs.js';

/** The one-line install of each framework adapter, as in packages/<name>/README.md. */
const FRAMEWORKS = [
  {
    id: 'express',
    label: 'Express',
    install: 'pnpm add @mbuzz/express',
    code: "app.use(mbuzz({ apiKey: process.env.MBUZZ_API_KEY, handleSignals: true })); // import { mbuzz } from '@mbuzz/express'",
  },
  {
    id: 'koa',
    label: 'Koa',
    install: 'pnpm add @mbuzz/koa',
    code: "app.use(mbuzz({ apiKey: process.env.MBUZZ_API_KEY, handleSignals: true })); // import { mbuzz } from '@mbuzz/koa'",
  },
  {
    id: 'fastify',
    label: 'Fastify',
    install: 'pnpm add @mbuzz/fastify',
    code: "await app.register(mbuzz, { apiKey: process.env.MBUZZ_API_KEY }); // import mbuzz from '@mbuzz/fastify'",
  },
  {
    id: 'next',
    label: 'Next',
    install: 'pnpm add @mbuzz/next',
    code: [
      "// proxy.ts (Next 16) or middleware.ts (Next 15): import { withMbuzz } from '@mbuzz/next'",
      'export default withMbuzz();',
      "export const config = { matcher: ['/((?!api/|_next/|.*\\\\.[a-zA-Z0-9]+$).*)'] };",
    ].join('\n'),
  },
];

/** The install snippets for Express, Koa, Fastify and Next, with the key's environment line. */
export function InstallSnippets(props: { secret?: string; idPrefix: string }): JSX.Element {
  const [framework, setFramework] = useState('express');
  const selected = FRAMEWORKS.find((f) => f.id === framework) ?? FRAMEWORKS[0];
  const apiUrl = `${window.location.origin}/api/v1`;
  return (
    <Tabs
      label="Framework"
      tabs={FRAMEWORKS.map(({ id, label }) => ({ id, label }))}
      selected={framework}
      onSelect={setFramework}
      idPrefix={props.idPrefix}
    >
      {selected && (
        <pre class="snippet">
          <code>
            {`${selected.install}\nexport MBUZZ_API_KEY=${props.secret ?? 'sk_live_…'} MBUZZ_API_URL=${apiUrl}\n${selected.code}`}
          </code>
        </pre>
      )}
    </Tabs>
  );
}
