import { describe, expect, it } from 'vitest';
import { extractTouch } from './extract-touch.js';

describe('extractTouch', () => {
  it('reads utm and click ids from the url query, decoded, case kept', () => {
    const touch = extractTouch({
      url: 'https://a.com/p?utm_source=Google&utm_campaign=spring+sale%21&utm_medium=&gclid=AbC#utm_term=no',
      referrer: 'https://www.google.com/',
    });
    expect(touch).toEqual({
      utm: { utm_source: 'Google', utm_campaign: 'spring sale!' },
      clickIds: { gclid: 'AbC' },
      url: 'https://a.com/p?utm_source=Google&utm_campaign=spring+sale%21&utm_medium=&gclid=AbC#utm_term=no',
      referrer: 'https://www.google.com/',
    });
  });

  it('lets explicit properties win, per key', () => {
    const touch = extractTouch({
      url: '/landing?utm_source=google&utm_medium=cpc&fbclid=1',
      utm_source: 'newsletter',
      fbclid: '  ',
    });
    expect(touch.utm).toEqual({ utm_source: 'newsletter', utm_medium: 'cpc' });
    expect(touch.clickIds).toEqual({ fbclid: '1' });
  });

  it('copes with no url, malformed escapes and non-string values', () => {
    expect(extractTouch({})).toEqual({ utm: {}, clickIds: {}, url: null, referrer: null });
    expect(extractTouch({ url: 'x?utm_source=%zz%E0' }).utm).toEqual({ utm_source: '%zz\ufffd' });
    expect(extractTouch({ url: 42, utm_source: 7 }).utm).toEqual({});
  });
});
