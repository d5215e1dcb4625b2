import { fileURLToPath } from 'node:url';
import { mbuzz } from '@mbuzz/express';
import express from 'express';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const flushIntervalMs = process.env.MBUZZ_FLUSH_INTERVAL_MS
  ? Number(process.env.MBUZZ_FLUSH_INTERVAL_MS)
  : undefined;

const app = express();
// Behind a local reverse proxy, X-Forwarded-Proto decides the cookies' Secure flag.
app.set('trust proxy', 'loopback');
// apiKey and apiUrl come from MBUZZ_API_KEY and MBUZZ_API_URL. handleSignals: on SIGTERM/SIGINT the
// queue is flushed before the process ends.
app.use(mbuzz({ flushIntervalMs, handleSignals: true }));
app.use('/assets', express.static(fileURLToPath(new URL('./public/assets', import.meta.url))));
app.use(express.urlencoded({ extended: false }));

const page = (title, body) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} · mbuzz express example</title>
<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body><nav><a href="/">Home</a><a href="/pricing">Pricing</a><a href="/about">About</a><a href="/signup">Sign up</a></nav>
<h1>${title}</h1>${body}</body></html>`;

const html = (title, body) => (_req, res) => res.type('html').send(page(title, body));

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
app.post('/signup', (req, res) => {
  // The visitor's identity comes from the mbuzz cookies set by the pages they saw.
  req.mbuzz.track('signup', { plan: req.body?.plan });
  res.redirect(303, '/welcome');
});
app.get('/promo', (_req, res) => res.redirect(302, '/pricing'));
app.get('/api/ping', (_req, res) => res.json({ ok: true }));
app.use((_req, res) => res.status(404).type('html').send(page('Not found', '')));

const server = app.listen(port, host, () => {
  console.log(`listening on http://${host}:${server.address().port}`);
});

// The usual graceful shutdown: stop accepting requests. mbuzz's signal hook flushes the queue meanwhile
// and keeps the process alive until it is delivered; then the process exits with code 0.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close());
