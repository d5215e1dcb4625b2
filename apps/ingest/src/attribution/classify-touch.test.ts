import { describe, expect, it } from 'vitest';
import { CHANNELS, classifyTouch, type TouchInput } from './classify-touch.js';
import { categoryOfSource, knownSiteOfHost } from './referrer-sites.js';

const touch = (over: Partial<TouchInput> = {}): TouchInput => ({
  utm: {},
  clickIds: {},
  referrer: null,
  landingUrl: 'https://shop.example/landing?x=1',
  ...over,
});
const utm = (values: Record<string, string>, over: Partial<TouchInput> = {}) =>
  classifyTouch(touch({ utm: values, ...over }));
const channelOf = (values: Record<string, string>, over: Partial<TouchInput> = {}) =>
  utm(values, over).channel;

describe('classifyTouch: GA4 default channel group, rule by rule', () => {
  it('Direct: no UTM, no referrer, no click id', () => {
    expect(classifyTouch(touch())).toEqual({
      channel: 'Direct',
      source: '(direct)',
      referrerDomain: null,
      landingPath: '/landing',
    });
  });

  it('Direct: a referrer on the landing page’s own host is no referrer', () => {
    const result = classifyTouch(touch({ referrer: 'https://www.shop.example/cart' }));
    expect(result).toMatchObject({ channel: 'Direct', source: '(direct)', referrerDomain: null });
  });

  it('Direct: utm_campaign alone (no source, no medium, no referrer)', () => {
    expect(channelOf({ utm_campaign: 'spring' })).toBe('Direct');
  });

  it('Cross-network: campaign contains cross-network (before every paid rule)', () => {
    expect(channelOf({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'pmax_Cross-Network_1' })).toBe(
      'Cross-network',
    );
  });

  it('Paid Shopping: shopping site or shop campaign with a paid medium', () => {
    expect(channelOf({ utm_source: 'amazon', utm_medium: 'cpc' })).toBe('Paid Shopping');
    expect(
      channelOf({ utm_source: 'newsletter-partner', utm_medium: 'ppc', utm_campaign: 'summer-shop' }),
    ).toBe('Paid Shopping');
    expect(channelOf({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'shopping_q4' })).toBe(
      'Paid Shopping',
    );
  });

  it('Paid Search: search site with cpc / ppc / paid* / retargeting', () => {
    for (const medium of ['cpc', 'CPC', 'ppc', 'paidsearch', 'retargeting', 'cpv']) {
      expect(channelOf({ utm_source: 'google', utm_medium: medium })).toBe('Paid Search');
    }
    expect(channelOf({ utm_source: 'bing', utm_medium: 'cpc' })).toBe('Paid Search');
    expect(channelOf({ utm_source: 'duckduckgo.com', utm_medium: 'cpc' })).toBe('Paid Search');
  });

  it('Paid Social: social site with a paid medium', () => {
    expect(channelOf({ utm_source: 'facebook', utm_medium: 'paid' })).toBe('Paid Social');
    expect(channelOf({ utm_source: 'fb', utm_medium: 'cpc' })).toBe('Paid Social');
    expect(channelOf({ utm_source: 'linkedin', utm_medium: 'cpc' })).toBe('Paid Social');
  });

  it('Paid Video: video site with a paid medium', () => {
    expect(channelOf({ utm_source: 'youtube', utm_medium: 'cpc' })).toBe('Paid Video');
    expect(channelOf({ utm_source: 'm.youtube.com', utm_medium: 'paid-video' })).toBe('Paid Video');
  });

  it('Display: display, banner, expandable, interstitial, cpm', () => {
    for (const medium of ['display', 'banner', 'expandable', 'interstitial', 'cpm']) {
      expect(channelOf({ utm_source: 'partner-network', utm_medium: medium })).toBe('Display');
    }
  });

  it('Paid Other: a paid medium on a source of no category', () => {
    expect(channelOf({ utm_source: 'newsletter-partner', utm_medium: 'cpc' })).toBe('Paid Other');
  });

  it('Organic Shopping: shopping site or shop campaign, not paid', () => {
    expect(channelOf({}, { referrer: 'https://www.amazon.com/dp/123' })).toBe('Organic Shopping');
    expect(channelOf({ utm_source: 'partner', utm_medium: 'link', utm_campaign: 'shop-week' })).toBe(
      'Organic Shopping',
    );
    expect(channelOf({}, { referrer: 'https://www.ebay.com/itm/1' })).toBe('Organic Shopping');
  });

  it('Organic Social: social site or a social medium', () => {
    expect(channelOf({}, { referrer: 'https://l.facebook.com/l.php?u=x' })).toBe('Organic Social');
    expect(channelOf({}, { referrer: 'https://t.co/abc' })).toBe('Organic Social');
    expect(channelOf({ utm_source: 'partner', utm_medium: 'social-media' })).toBe('Organic Social');
    expect(channelOf({ utm_source: 'partner', utm_medium: 'sm' })).toBe('Organic Social');
  });

  it('Organic Video: video site or a medium containing video', () => {
    expect(channelOf({}, { referrer: 'https://www.youtube.com/watch?v=1' })).toBe('Organic Video');
    expect(channelOf({ utm_source: 'partner', utm_medium: 'video-embed' })).toBe('Organic Video');
  });

  it('Organic Search: search engine referrer, search source, or medium organic', () => {
    const google = classifyTouch(touch({ referrer: 'https://www.google.com/search?q=x' }));
    expect(google).toMatchObject({
      channel: 'Organic Search',
      source: 'Google',
      referrerDomain: 'google.com',
    });
    expect(channelOf({}, { referrer: 'https://www.bing.com/' })).toBe('Organic Search');
    expect(channelOf({ utm_source: 'google' })).toBe('Organic Search');
    expect(channelOf({ utm_source: 'some-engine', utm_medium: 'organic' })).toBe('Organic Search');
  });

  it('Email: source or medium email / e-mail / e_mail / e mail, or a webmail referrer', () => {
    for (const v of ['email', 'e-mail', 'e_mail', 'e mail', 'Email']) {
      expect(channelOf({ utm_source: 'newsletter', utm_medium: v })).toBe('Email');
      expect(channelOf({ utm_source: v })).toBe('Email');
    }
    expect(channelOf({}, { referrer: 'https://mail.google.com/mail/u/0/' })).toBe('Email');
  });

  it('Affiliates: medium affiliate', () => {
    expect(channelOf({ utm_source: 'partner', utm_medium: 'affiliate' })).toBe('Affiliates');
  });

  it('AI Assistants: known assistants as referrer or utm_source, before Referral', () => {
    for (const referrer of [
      'https://chatgpt.com/',
      'https://chat.openai.com/c/1',
      'https://www.perplexity.ai/search',
      'https://claude.ai/chat/1',
      'https://gemini.google.com/app',
      'https://copilot.microsoft.com/',
    ]) {
      expect(channelOf({}, { referrer })).toBe('AI Assistants');
    }
    expect(utm({ utm_source: 'chatgpt.com' })).toMatchObject({
      channel: 'AI Assistants',
      source: 'chatgpt.com',
    });
    expect(classifyTouch(touch({ referrer: 'https://gemini.google.com/app' })).source).toBe('Gemini');
  });

  it('Referral: any other referrer, or medium referral / app / link', () => {
    const other = classifyTouch(touch({ referrer: 'https://www.news-site.example/story' }));
    expect(other).toMatchObject({
      channel: 'Referral',
      source: 'news-site.example',
      referrerDomain: 'news-site.example',
    });
    for (const medium of ['referral', 'app', 'link']) {
      expect(channelOf({ utm_source: 'partner', utm_medium: medium })).toBe('Referral');
    }
  });

  it('Audio: medium audio', () => {
    expect(channelOf({ utm_source: 'podcast', utm_medium: 'audio' })).toBe('Audio');
  });

  it('SMS: source or medium sms', () => {
    expect(channelOf({ utm_source: 'sms' })).toBe('SMS');
    expect(channelOf({ utm_source: 'twilio', utm_medium: 'SMS' })).toBe('SMS');
  });

  it('Mobile Push Notifications: medium ends with push, contains mobile or notification; source firebase', () => {
    expect(channelOf({ utm_source: 'app', utm_medium: 'web-push' })).toBe('Mobile Push Notifications');
    expect(channelOf({ utm_source: 'app', utm_medium: 'mobile-alert' })).toBe('Mobile Push Notifications');
    expect(channelOf({ utm_source: 'app', utm_medium: 'notification' })).toBe('Mobile Push Notifications');
    expect(channelOf({ utm_source: 'firebase', utm_medium: 'inapp' })).toBe('Mobile Push Notifications');
  });

  it('Unassigned: nothing matches', () => {
    expect(channelOf({ utm_source: 'partner', utm_medium: 'print' })).toBe('Unassigned');
    expect(channelOf({ utm_source: 'partner' })).toBe('Unassigned');
  });

  it('names every channel exactly as documented', () => {
    expect(CHANNELS).toHaveLength(20);
    expect(new Set(CHANNELS).size).toBe(20);
  });
});

describe('classifyTouch: click ids decide when UTM is silent', () => {
  const cases: Array<[string, string, string]> = [
    ['gclid', 'Paid Search', 'google'],
    ['gbraid', 'Paid Search', 'google'],
    ['wbraid', 'Paid Search', 'google'],
    ['msclkid', 'Paid Search', 'bing'],
    ['dclid', 'Display', 'google'],
    ['ttclid', 'Paid Social', 'tiktok'],
    ['li_fat_id', 'Paid Social', 'linkedin'],
    ['twclid', 'Paid Social', 'twitter'],
  ];
  for (const [id, channel, source] of cases) {
    it(`${id} → ${channel}`, () => {
      expect(classifyTouch(touch({ clickIds: { [id]: 'abc' } }))).toMatchObject({ channel, source });
      // A referrer names the source; the click id still decides the channel.
      const withReferrer = classifyTouch(
        touch({ clickIds: { [id]: 'abc' }, referrer: 'https://www.google.com/' }),
      );
      expect(withReferrer).toMatchObject({ channel, source: 'Google' });
    });
  }

  it('fbclid alone decides nothing (organic shares carry it)', () => {
    expect(classifyTouch(touch({ clickIds: { fbclid: 'x' } })).channel).toBe('Direct');
    expect(
      classifyTouch(touch({ clickIds: { fbclid: 'x' }, referrer: 'https://m.facebook.com/' })).channel,
    ).toBe('Organic Social');
  });

  it('UTM wins over a click id when it speaks', () => {
    expect(
      classifyTouch(
        touch({ clickIds: { gclid: 'x' }, utm: { utm_source: 'newsletter', utm_medium: 'email' } }),
      ),
    ).toMatchObject({ channel: 'Email', source: 'newsletter' });
  });
});

describe('classifyTouch: source, referrer domain, landing path', () => {
  it('utm_source as sent (case kept), over the referrer', () => {
    expect(utm({ utm_source: 'Google' }, { referrer: 'https://duckduckgo.com/' }).source).toBe('Google');
  });

  it('the maintained list’s name for a known referrer, else its host without www.', () => {
    expect(classifyTouch(touch({ referrer: 'https://www.reddit.com/r/node' })).source).toBe('Reddit');
    expect(classifyTouch(touch({ referrer: 'https://www.blog.example:8443/a' }))).toMatchObject({
      source: 'blog.example',
      referrerDomain: 'blog.example',
    });
  });

  it('landing path without query and fragment; / for a bare host', () => {
    expect(classifyTouch(touch({ landingUrl: 'https://a.example/p/q?utm_source=x#top' })).landingPath).toBe(
      '/p/q',
    );
    expect(classifyTouch(touch({ landingUrl: 'https://a.example' })).landingPath).toBe('/');
    expect(classifyTouch(touch({ landingUrl: null })).landingPath).toBeNull();
  });

  it('ignores a referrer that is not an absolute URL', () => {
    expect(classifyTouch(touch({ referrer: 'not a url' }))).toMatchObject({
      channel: 'Direct',
      referrerDomain: null,
    });
  });
});

describe('referrer sites from the maintained list', () => {
  it('knows thousands of hosts, with parent-domain matching', () => {
    expect(knownSiteOfHost('www.google.co.uk')).toEqual({ name: 'Google', category: 'search' });
    expect(knownSiteOfHost('lm.facebook.com')?.category).toBe('social');
    expect(knownSiteOfHost('unknown.example')).toBeNull();
  });

  it('files video and shopping sites as GA4 does', () => {
    expect(categoryOfSource('youtube.com')).toBe('video');
    expect(categoryOfSource('vimeo')).toBe('video');
    expect(categoryOfSource('amazon')).toBe('shopping');
    expect(categoryOfSource('Instagram')).toBe('social');
    expect(categoryOfSource('nothing-here')).toBeNull();
  });
});
