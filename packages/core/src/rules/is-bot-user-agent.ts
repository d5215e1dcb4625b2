import { isbot } from 'isbot';

// isbot runs one large regular expression (microseconds per call); real traffic repeats a small set
// of user agents, so remember recent answers. Bounded: cleared when full rather than tracked per entry.
const cache = new Map<string, boolean>();
const MAX_CACHED = 1000;

/**
 * Whether a User-Agent is a crawler, monitor or script (`isbot`). A missing or blank User-Agent counts
 * as a bot: browsers always send one.
 *
 * @example
 * ```ts
 * isBotUserAgent('Googlebot/2.1 (+http://www.google.com/bot.html)'); // true
 * ```
 */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (userAgent === undefined || userAgent.trim() === '') return true;
  let bot = cache.get(userAgent);
  if (bot === undefined) {
    bot = isbot(userAgent);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(userAgent, bot);
  }
  return bot;
}
