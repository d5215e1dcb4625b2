import { readFile } from 'node:fs/promises';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { mbuzz } from '@mbuzz/koa';
import Koa from 'koa';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const flushIntervalMs = process.env.MBUZZ_FLUSH_INTERVAL_MS
  ? Number(process.env.MBUZZ_FLUSH_INTERVAL_MS)
  : undefined;

const app = new Koa();
// Behind a TLS-terminating proxy, X-Forwarded-Proto decides the cookies' Secure flag.
app.proxy = true;
// apiKey and apiUrl come from MBUZZ_API_KEY and MBUZZ_API_URL. handleSignals: on SIGTERM/SIGINT the
// queue is flushed before the process ends.
app.use(mbuzz({ flushIntervalMs, handleSignals: true }));
app.use(bodyParser({ enableTypes: ['form'] }));

const page = (title, body) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title} · mbuzz koa example</title>
<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body><nav><a href="/">Home</a><a href="/pricing">Pricing</a><a href="/about">About</a><a href="/signup">Sign up</a></nav>
<h1>${title}</h1>${body}</body></html>`;

const html = (title, body) => (ctx) => {
  ctx.type = 'html';
  ctx.body = page(title, body);
};

const router = new Router();
router.get('/', html('Home', '<p>Welcome to the example shop.</p>'));
router.get('/pricing', html('Pricing', '<p>Free or Pro.</p>'));
router.get('/about', html('About', '<p>An example app tracked by mbuzz.</p>'));
router.get('/welcome', html('Welcome', '<p>Thanks for signing up.</p>'));
router.get(
  '/signup',
  html(
    'Sign up',
    `<form method="post" action="/signup">
  <select name="plan"><option value="free">Free</option><option value="pro">Pro</option></select>
  <button type="submit">Sign up</button>
</form>`,
  ),
);
router.post('/signup', (ctx) => {
  // The visitor's identity comes from the mbuzz cookies set by the pages they saw.
  ctx.state.mbuzz.track('signup', { plan: ctx.request.body?.plan });
  ctx.status = 303;
  ctx.redirect('/welcome');
});
router.get('/promo', (ctx) => {
  ctx.status = 302;
  ctx.redirect('/pricing');
});
router.get('/api/ping', (ctx) => {
  ctx.body = { ok: true };
});
const assets = { 'app.css': 'text/css', 'app.js': 'text/javascript' };
router.get('/assets/:file', async (ctx, next) => {
  const type = assets[ctx.params.file];
  if (!type) return next();
  ctx.type = type;
  ctx.body = await readFile(new URL(`./public/assets/${ctx.params.file}`, import.meta.url));
});

app.use(router.routes());
app.use(router.allowedMethods());
app.use((ctx) => {
  ctx.status = 404;
  ctx.type = 'html';
  ctx.body = page('Not found', '');
});

const server = app.listen(port, host, () => {
  console.log(`listening on http://${host}:${server.address().port}`);
});

// The usual graceful shutdown: stop accepting requests. mbuzz's signal hook flushes the queue meanwhile
// and keeps the process alive until it is delivered; then the process exits with code 0.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close());
