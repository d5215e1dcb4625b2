import { describe, expect, it } from 'vitest';
import { extractTouch } from './extract-touch.js';

describe('extractTouch', () => {
  it('reads utm and click ids from the url query, decoded, case kept, and classifies the touch', () => {
    const url =
      'https://a.com/p?utm_source=Google&utm_campaign=spring+sale%21&utm_medium=&gclid=AbC#utm_term=no';
    const { touch } = extractTouch({ url, referrer: 'https://www.google.com/' });
    expect(touch).toEqual({
      utm: { utm_source: 'Google', utm_campaign: 'spring sale!' },
      clickIds: { gclid: 'AbC' },
      url,
      urlField: 'url',
      referrer: 'https://www.google.com/',
      channel: 'Organic Search',
      source: 'Google',
      referrerDomain: 'google.com',
      landingPath: '/p',
    });
  });

  it('lets explicit properties win, per key', () => {
    const { touch } = extractTouch({
      url: '/landing?utm_source=google&utm_medium=cpc&fbclid=1',
      utm_source: 'newsletter',
      fbclid: '  ',
    });
    expect(touch.utm).toEqual({ utm_source: 'newsletter', utm_medium: 'cpc' });
    expect(touch.clickIds).toEqual({ fbclid: '1' });
  });

  it('returns the UTM values of url that were not explicit, to be stored in the properties', () => {
    expect(
      extractTouch({ url: 'https://a.com/?utm_source=google&utm_medium=cpc&gclid=1', utm_source: 'news' })
        .utmFromUrl,
    ).toEqual({ utm_medium: 'cpc' });
    expect(extractTouch({ url: 'https://a.com/?x=1', utm_source: 'news' }).utmFromUrl).toBeUndefined();
  });

  it('takes landing_url (sent after a redirect) as the landing, with its UTM and click ids', () => {
    const { touch, utmFromUrl } = extractTouch({
      url: 'https://a.com/welcome',
      landing_url: 'https://a.com/go?utm_source=newsletter&utm_medium=email&gclid=9',
    });
    expect(touch).toMatchObject({
      url: 'https://a.com/go?utm_source=newsletter&utm_medium=email&gclid=9',
      urlField: 'landing_url',
      utm: { utm_source: 'newsletter', utm_medium: 'email' },
      clickIds: { gclid: '9' },
      channel: 'Email',
      landingPath: '/go',
    });
    // The page's own url had no UTM: nothing to add to the properties.
    expect(utmFromUrl).toBeUndefined();
  });

  it('copes with no url, malformed escapes and non-string values', () => {
    expect(extractTouch({}).touch).toMatchObject({
      utm: {},
      clickIds: {},
      url: null,
      urlField: null,
      referrer: null,
    });
    expect(extractTouch({}).touch.channel).toBe('Direct');
    expect(extractTouch({ url: 'x?utm_source=%zz%E0' }).touch.utm).toEqual({ utm_source: '%zz\ufffd' });
    expect(extractTouch({ url: 42, utm_source: 7 }).touch.utm).toEqual({});
  });
});
