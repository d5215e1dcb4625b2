import { categoryOfSource, knownSiteOfHost, type SiteCategory } from './referrer-sites.js';

/** The channel names, exactly as reports show them: GA4's default channel group plus AI Assistants. */
export const CHANNELS = [
  'Direct',
  'Cross-network',
  'Paid Shopping',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Shopping',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Email',
  'Affiliates',
  'AI Assistants',
  'Referral',
  'Audio',
  'SMS',
  'Mobile Push Notifications',
  'Unassigned',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** The source of a session without UTM source, referrer or click id. */
export const DIRECT_SOURCE = '(direct)';

export interface TouchInput {
  /** `utm_*` values as stored (case kept). */
  utm: Readonly<Record<string, string>>;
  /** Click ids present on the landing URL. */
  clickIds: Readonly<Record<string, string>>;
  /** The referrer URL, if any. */
  referrer: string | null;
  /** The landing page URL, if any. */
  landingUrl: string | null;
}

export interface Classification {
  channel: Channel;
  /** `utm_source` as sent, else the referrer's known name, else its host, else `(direct)`. */
  source: string;
  /** The referrer's host without `www.`; null without an (external) referrer. */
  referrerDomain: string | null;
  /** The landing page's path (no query, no fragment); null without a landing URL. */
  landingPath: string | null;
}

// GA4's published regular expressions (case-insensitive), written as the tests they amount to:
// paid medium ^(.*cp.*|ppc|retargeting|paid.*)$, shop campaign ^(.*(([^a-df-z]|^)shop|shopping).*)$.
const isPaidMedium = (m: string) =>
  m.includes('cp') || m === 'ppc' || m === 'retargeting' || m.startsWith('paid');
const SHOP_CAMPAIGN = /(?:^|[^a-df-z])shop|shopping/;
const DISPLAY_MEDIUMS = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const SOCIAL_MEDIUMS = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
]);
const EMAIL = new Set(['email', 'e-mail', 'e_mail', 'e mail']);
const REFERRAL_MEDIUMS = new Set(['referral', 'app', 'link']);

/**
 * Click ids decide the channel when UTM is silent: Google Ads and Microsoft Ads search clicks, Google's
 * display clicks (Campaign Manager), and the paid-social networks. `fbclid` decides nothing: Facebook
 * adds it to organic shares too. The source a click id implies is used when nothing else names one.
 */
const CLICK_ID_RULES: ReadonlyArray<readonly [string, Channel, string]> = [
  ['gclid', 'Paid Search', 'google'],
  ['gbraid', 'Paid Search', 'google'],
  ['wbraid', 'Paid Search', 'google'],
  ['msclkid', 'Paid Search', 'bing'],
  ['dclid', 'Display', 'google'],
  ['ttclid', 'Paid Social', 'tiktok'],
  ['li_fat_id', 'Paid Social', 'linkedin'],
  ['twclid', 'Paid Social', 'twitter'],
];

/**
 * Decides a session's channel and source from its first touch, in GA4's default channel group order
 * (first match wins), with AI Assistants checked before Referral. Pure and cheap: it runs for every
 * stored event, and the session keeps the result of its earliest one.
 *
 * Without UTM values GA4's implied source/medium are used: a referrer from a search engine is
 * `organic`, any other referrer is `referral`, no referrer is `(direct)` / `(none)`. A referrer on the
 * landing page's own host is no referrer.
 *
 * @example
 * classifyTouch({ utm: { utm_source: 'google', utm_medium: 'cpc' }, clickIds: {}, referrer: null, landingUrl: null })
 * // → { channel: 'Paid Search', source: 'google', referrerDomain: null, landingPath: null }
 */
export function classifyTouch(input: TouchInput): Classification {
  const landing = parseUrl(input.landingUrl);
  const referrer = parseUrl(input.referrer);
  const landingHost = landing ? stripWww(landing.host) : null;
  let referrerHost = referrer ? referrer.host : null;
  if (referrerHost !== null && (referrerHost === '' || stripWww(referrerHost) === landingHost))
    referrerHost = null;
  const referrerDomain = referrerHost === null ? null : stripWww(referrerHost);
  const site = referrerHost === null ? null : knownSiteOfHost(referrerHost);

  const utmSource = input.utm.utm_source;
  const clickRule = hasAny(input.clickIds)
    ? CLICK_ID_RULES.find(([key]) => input.clickIds[key] !== undefined)
    : undefined;
  const source = utmSource ?? site?.name ?? referrerDomain ?? clickRule?.[2] ?? DIRECT_SOURCE;
  const landingPath = landing ? landing.path : null;

  const utmSilent = utmSource === undefined && input.utm.utm_medium === undefined;
  if (utmSilent && clickRule) return { channel: clickRule[1], source, referrerDomain, landingPath };

  // GA4's session source / medium / campaign, lowercased for matching.
  const s = (utmSource ?? referrerHost ?? DIRECT_SOURCE).toLowerCase();
  const category: SiteCategory | null =
    utmSource === undefined ? (site?.category ?? null) : categoryOfSource(utmSource);
  const m = (
    input.utm.utm_medium ??
    (utmSource !== undefined
      ? '(not set)'
      : referrerHost === null
        ? '(none)'
        : category === 'search'
          ? 'organic'
          : 'referral')
  ).toLowerCase();
  const c = (input.utm.utm_campaign ?? '').toLowerCase();

  return { channel: channelOf(s, m, c, category), source, referrerDomain, landingPath };
}

function channelOf(s: string, m: string, c: string, category: SiteCategory | null): Channel {
  const paid = isPaidMedium(m);
  const shopCampaign = c !== '' && SHOP_CAMPAIGN.test(c);
  if (s === DIRECT_SOURCE && (m === '(none)' || m === '(not set)')) return 'Direct';
  if (c.includes('cross-network')) return 'Cross-network';
  if ((category === 'shopping' || shopCampaign) && paid) return 'Paid Shopping';
  if (category === 'search' && paid) return 'Paid Search';
  if (category === 'social' && paid) return 'Paid Social';
  if (category === 'video' && paid) return 'Paid Video';
  if (DISPLAY_MEDIUMS.has(m)) return 'Display';
  if (paid) return 'Paid Other';
  if (category === 'shopping' || shopCampaign) return 'Organic Shopping';
  if (category === 'social' || SOCIAL_MEDIUMS.has(m)) return 'Organic Social';
  if (category === 'video' || m.includes('video')) return 'Organic Video';
  if (category === 'search' || m === 'organic') return 'Organic Search';
  if (EMAIL.has(s) || EMAIL.has(m) || category === 'email') return 'Email';
  if (m === 'affiliate') return 'Affiliates';
  if (category === 'ai') return 'AI Assistants';
  if (REFERRAL_MEDIUMS.has(m)) return 'Referral';
  if (m === 'audio') return 'Audio';
  if (s === 'sms' || m === 'sms') return 'SMS';
  if (m.endsWith('push') || m.includes('mobile') || m.includes('notification') || s === 'firebase') {
    return 'Mobile Push Notifications';
  }
  return 'Unassigned';
}

const stripWww = (host: string) => (host.startsWith('www.') ? host.slice(4) : host);

/** Whether an object has any own key (most touches have no click id). */
const hasAny = (values: Readonly<Record<string, string>>) => {
  for (const _ in values) return true;
  return false;
};

/**
 * Host (lowercase, no port) and path of an absolute URL, read by index: `new URL` costs ~1 µs and this
 * runs per event. Anything that is not `scheme://host…` (e.g. `android-app://…` keeps its host) → null.
 */
function parseUrl(url: string | null): { host: string; path: string } | null {
  if (url === null) return null;
  const scheme = url.indexOf('://');
  if (scheme <= 0 || scheme > 20) return null;
  const start = scheme + 3;
  let end = start;
  while (end < url.length) {
    const ch = url.charCodeAt(end);
    if (ch === 47 /* / */ || ch === 63 /* ? */ || ch === 35 /* # */) break;
    end += 1;
  }
  let authority = url.slice(start, end);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  const colon = authority.startsWith('[')
    ? authority.indexOf(':', authority.indexOf(']'))
    : authority.indexOf(':');
  let host = colon === -1 ? authority : authority.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  host = host.toLowerCase();
  let pathEnd = end;
  while (pathEnd < url.length) {
    const ch = url.charCodeAt(pathEnd);
    if (ch === 63 || ch === 35) break;
    pathEnd += 1;
  }
  const path = url.charCodeAt(end) === 47 ? url.slice(end, pathEnd) : '/';
  return { host, path };
}
