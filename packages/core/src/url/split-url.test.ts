import { describe, expect, it } from 'vitest';
import { siteKey, splitUrl, urlHost } from './split-url.js';

describe('splitUrl', () => {
  it.each([
    [
      'https://shop.example/pricing?a=1#top',
      { scheme: 'https', host: 'shop.example', path: '/pricing', query: 'a=1' },
    ],
    ['HTTP://Shop.example:8080', { scheme: 'http', host: 'Shop.example:8080', path: '/', query: '' }],
    ['https://shop.example?x=1', { scheme: 'https', host: 'shop.example', path: '/', query: 'x=1' }],
    ['https://user:pw@shop.example/a', { scheme: 'https', host: 'shop.example', path: '/a', query: '' }],
    [
      '/pricing?u=http://x.example/',
      { scheme: '', host: '', path: '/pricing', query: 'u=http://x.example/' },
    ],
    [
      'android-app://com.google.android.gm/',
      { scheme: 'android-app', host: 'com.google.android.gm', path: '/', query: '' },
    ],
    ['', { scheme: '', host: '', path: '/', query: '' }],
    ['garbage', { scheme: '', host: '', path: 'garbage', query: '' }],
  ])('%s', (url, parts) => {
    expect(splitUrl(url)).toEqual(parts);
  });

  it('agrees with new URL() on path and query for ordinary URLs', () => {
    for (const url of [
      'https://a.example/x/y?b=1&c=%20',
      'http://a.example:3000/',
      'https://a.example/p?q',
    ]) {
      const parsed = new URL(url);
      expect(splitUrl(url).path).toBe(parsed.pathname);
      expect(splitUrl(url).query).toBe(parsed.search.slice(1));
    }
  });
});

describe('siteKey', () => {
  it.each([
    ['www.Google.com', 'google.com'],
    ['shop.example:8443', 'shop.example'],
    ['www.shop.example:80', 'shop.example'],
    ['[::1]:3000', '[::1]'],
    ['wwwx.example', 'wwwx.example'],
  ])('%s → %s', (host, key) => {
    expect(siteKey(host)).toBe(key);
  });
});

describe('urlHost', () => {
  it.each([
    'https://www.google.com/',
    'https://user:pw@shop.example:8443/a?b#c',
    'https://shop.example?x=1',
    'https://shop.example#frag',
    'http://@x.example/',
    'https://a.example/p@q',
    '/relative?u=http://x.example/',
    'a#://b',
    'android-app://com.google.android.gm/',
    '',
  ])('%s is splitUrl().host', (url) => {
    expect(urlHost(url)).toBe(splitUrl(url).host);
  });
});
