import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options/resolve-options.js';
import { navigationView, subRequestView } from '../testing/request-views.js';
import type { RequestView } from '../types.js';
import { createPathSkipper } from './create-path-skipper.js';
import { isBotUserAgent } from './is-bot-user-agent.js';
import { isDocumentNavigation, isPrefetch } from './is-document-navigation.js';
import { isPageViewRequest, isPageViewStatus } from './is-page-view-request.js';

const URL = 'https://shop.example/pricing';
const noSecFetch = { 'sec-fetch-mode': undefined, 'sec-fetch-dest': undefined, 'sec-fetch-site': undefined };

describe('isDocumentNavigation', () => {
  const cases: Array<[string, RequestView, boolean]> = [
    ['browser navigation (Sec-Fetch navigate/document)', navigationView(URL), true],
    ['method in lower case', navigationView(URL, { method: 'get' }), true],
    ['HEAD', navigationView(URL, { method: 'HEAD' }), false],
    ['form POST navigation', navigationView(URL, { method: 'POST' }), false],
    ['iframe', navigationView(URL, { headers: { 'sec-fetch-dest': 'iframe' } }), false],
    ['fetch() from script', subRequestView(URL), false],
    [
      'image',
      navigationView(URL, { headers: { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' } }),
      false,
    ],
    [
      'only Sec-Fetch-Mode navigate (dest missing)',
      navigationView(URL, { headers: { 'sec-fetch-dest': undefined } }),
      false,
    ],
    [
      'Sec-Fetch values in upper case',
      navigationView(URL, { headers: { 'sec-fetch-mode': 'Navigate', 'sec-fetch-dest': 'Document' } }),
      true,
    ],
    ['no Sec-Fetch, Accept text/html', navigationView(URL, { headers: noSecFetch }), true],
    ['no Sec-Fetch, Accept */*', navigationView(URL, { headers: { ...noSecFetch, accept: '*/*' } }), false],
    [
      'no Sec-Fetch, no Accept',
      navigationView(URL, { headers: { ...noSecFetch, accept: undefined } }),
      false,
    ],
    [
      'no Sec-Fetch, Accept as array',
      navigationView(URL, { headers: { ...noSecFetch, accept: ['application/json', 'text/html'] } }),
      true,
    ],
    [
      'no Sec-Fetch, jQuery XHR',
      navigationView(URL, { headers: { ...noSecFetch, 'x-requested-with': 'XMLHttpRequest' } }),
      false,
    ],
    [
      'no Sec-Fetch, other X-Requested-With (Android app id)',
      navigationView(URL, { headers: { ...noSecFetch, 'x-requested-with': 'com.example.app' } }),
      true,
    ],
    [
      'no Sec-Fetch, Turbo frame',
      navigationView(URL, { headers: { ...noSecFetch, 'turbo-frame': 'main' } }),
      false,
    ],
    ['no Sec-Fetch, htmx', navigationView(URL, { headers: { ...noSecFetch, 'hx-request': 'true' } }), false],
    [
      'no Sec-Fetch, Unpoly',
      navigationView(URL, { headers: { ...noSecFetch, 'x-up-version': '3.0.0' } }),
      false,
    ],
    [
      'no Sec-Fetch, React Server Components',
      navigationView(URL, { headers: { ...noSecFetch, rsc: '1' } }),
      false,
    ],
    ['Sec-Purpose prefetch', navigationView(URL, { headers: { 'sec-purpose': 'prefetch' } }), false],
    [
      'Sec-Purpose prefetch;prerender',
      navigationView(URL, { headers: { 'sec-purpose': 'prefetch;prerender' } }),
      false,
    ],
    ['Purpose: prefetch', navigationView(URL, { headers: { purpose: 'prefetch' } }), false],
    ['X-Moz: prefetch', navigationView(URL, { headers: { ...noSecFetch, 'x-moz': 'prefetch' } }), false],
    ['X-Purpose: preview (Safari)', navigationView(URL, { headers: { 'x-purpose': 'preview' } }), false],
    ['Next router prefetch', navigationView(URL, { headers: { 'next-router-prefetch': '1' } }), false],
  ];
  it.each(cases)('%s → %s', (_name, view, expected) => {
    expect(isDocumentNavigation(view)).toBe(expected);
  });

  it('isPrefetch alone', () => {
    expect(isPrefetch(navigationView(URL, { headers: { 'sec-purpose': 'prefetch' } }))).toBe(true);
    expect(isPrefetch(navigationView(URL))).toBe(false);
  });
});

describe('isBotUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', true],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', true],
    ['curl/8.4.0', true],
    ['python-requests/2.31.0', true],
    ['UptimeRobot/2.0 (http://www.uptimerobot.com/)', true],
    ['', true],
    ['   ', true],
    [undefined, true],
    [navigationView(URL).headers['user-agent'] as string, false],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      false,
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', false],
  ])('%j → %s', (ua, expected) => {
    expect(isBotUserAgent(ua)).toBe(expected);
    expect(isBotUserAgent(ua)).toBe(expected); // second answer comes from the cache
  });
});

describe('createPathSkipper', () => {
  const skip = createPathSkipper(
    resolveOptions({
      transport: { send: async () => ({ ok: true, answer: { accepted: 0, duplicates: 0, rejected: [] } }) },
      skipPaths: ['/admin/', 'internal'],
      skipExtensions: ['.CSV'],
    }),
  );
  it.each([
    ['/up', true],
    ['/up/', true],
    ['/up/db', true],
    ['/upload', false],
    ['/uploads/x', false],
    ['/health', true],
    ['/healthcheck', false],
    ['/favicon.ico', true],
    ['/robots.txt', true],
    ['/_next/static/chunks/main.js', true],
    ['/.well-known/security.txt', true],
    ['/admin', true],
    ['/admin/users', true],
    ['/administrator', false],
    ['/internal/x', true],
    ['/assets/app.css', true],
    ['/assets/app.CSS', true],
    ['/img/logo.png', true],
    ['/img/photo.webp', true],
    ['/font.woff2', true],
    ['/report.csv', true],
    ['/docs/v1.2/intro', false],
    ['/blog/why-v2.0-matters', false],
    ['/.env', false],
    ['/pricing', false],
    ['/', false],
  ])('%s → %s', (path, expected) => {
    expect(skip(path)).toBe(expected);
  });
});

describe('isPageViewRequest', () => {
  const skip = createPathSkipper({ skipPaths: ['/up'], skipExtensions: ['css'] });
  it.each([
    ['a page', navigationView(URL), true],
    ['a page with a query', navigationView(`${URL}?utm_source=x`), true],
    ['a skipped path', navigationView('https://shop.example/up'), false],
    ['a path that only starts like a skipped one', navigationView('https://shop.example/upload'), true],
    ['an asset', navigationView('https://shop.example/app.css?v=3'), false],
    ['a bot', navigationView(URL, { headers: { 'user-agent': 'Googlebot/2.1' } }), false],
    ['no user agent', navigationView(URL, { headers: { 'user-agent': undefined } }), false],
    ['a prefetch', navigationView(URL, { headers: { 'sec-purpose': 'prefetch' } }), false],
    ['a fetch', subRequestView(URL), false],
  ])('%s → %s', (_name, view, expected) => {
    expect(isPageViewRequest(view, skip)).toBe(expected);
  });
});

describe('isPageViewStatus', () => {
  it.each([
    [200, true],
    [203, true],
    [undefined, true],
    [301, false],
    [302, false],
    [304, true],
    [399, false],
    [400, false],
    [404, false],
    [500, false],
    [101, false],
  ])('%s → %s', (status, expected) => {
    expect(isPageViewStatus(status)).toBe(expected);
  });
});
