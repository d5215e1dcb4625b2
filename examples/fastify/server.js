import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import mbuzz from '@mbuzz/fastify';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const flushIntervalMs = process.env.MBUZZ_FLUSH_INTERVAL_MS
  ? Number(process.env.MBUZZ_FLUSH_INTERVAL_MS)
  : undefined;

const app = Fastify({ trustProxy: true });
await app.register(formbody);
// apiKey and apiUrl come from MBUZZ_API_KEY and MBUZZ_API_URL.
await app.register(mbuzz, { flushIntervalMs });

const page = (title, body) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} · mbuzz fastify example</title>
<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body><nav><a href="/">Home</a><a href="/pricing">Pricing</a><a href="/about">About</a><a href="/signup">Sign up</a></nav>
<h1>${title}</h1>${body}</body></html>`;

const html = (title, body) => (_request, reply) => reply.type('text/html').send(page(title, body));

app.get('/', html('Home', '<p>Welcome to the example shop.</p>'));
app.get('/pricing', html('Pricing', '<p>Free or Pro.</p>'));
app.get('/about', html('About', '<p>An example app tracked by mbuzz.</p>'));
app.get('/welcome', html('Welcome', '<p>Thanks for signing up.</p>'));
app.get(
  '/signup',
  html(
    'Sign up',
    `<form method="post" action="/signup">
  <select name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
  <button type="submit">Sign up</button>
</form>`,
  ),
);
app.post('/signup', (request, reply) => {
  request.mbuzz.track('signup', { plan: request.body?.plan });
  return reply.redirect('/welcome', 303);
});
app.get('/promo', (_request, reply) => reply.redirect('/pricing', 302));
app.get('/api/ping', () => ({ ok: true }));

const assets = { 'app.css': 'text/css', 'app.js': 'text/javascript' };
app.get('/assets/:file', async (request, reply) => {
  const type = assets[request.params.file];
  if (!type) return reply.callNotFound();
  return reply
    .type(type)
    .send(await readFile(new URL(`./public/assets/${request.params.file}`, import.meta.url)));
});

app.setNotFoundHandler((_request, reply) =>
  reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '')),
);

// app.close() runs the plugin's onClose: the queue is flushed before the process exits.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await app.close();
    process.exit(0);
  });
}

await app.listen({ port, host });
console.log(`listening on http://${host}:${app.server.address().port}`);
