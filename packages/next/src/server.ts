import { createAdapterReporter, createClient, type MbuzzClient, type MbuzzOptions } from '@mbuzz/core';
import { cookies, headers } from 'next/headers';
import { after } from 'next/server';

/** `track()` bound to one client; see {@link createTracker}. */
export interface ServerTracker {
  /**
   * Queues a custom event with the identity of the visitor making the current request (read from the
   * mbuzz cookies with `cookies()`), and delivers it after the response with `after()`. Pass the route
   * handler's `request` to record its URL (otherwise the `Referer`, i.e. the page that posted, is used).
   * Never rejects.
   */
  track(eventType: string, properties?: Record<string, unknown>, request?: Request): Promise<void>;
  /** The underlying client (created on first use). */
  readonly client: MbuzzClient;
}

/**
 * Creates a `track()` for route handlers and server actions with its own options. The plain `track`
 * export uses one created from the environment (`MBUZZ_API_KEY`, `MBUZZ_API_URL`).
 *
 * @example
 * // lib/mbuzz.ts
 * import { createTracker } from '@mbuzz/next/server';
 * export const { track } = createTracker({ apiKey: process.env.MY_MBUZZ_KEY });
 */
export function createTracker(options: MbuzzOptions = {}): ServerTracker {
  let client: MbuzzClient | undefined;
  const getClient = () => (client ??= createClient(options));
  const report = createAdapterReporter(options, 'Next.js');

  async function track(eventType: string, properties?: Record<string, unknown>, request?: Request) {
    try {
      const [jar, incoming] = await Promise.all([cookies(), headers()]);
      const current = getClient();
      const host = incoming.get('x-forwarded-host') ?? incoming.get('host') ?? 'localhost';
      const proto = incoming.get('x-forwarded-proto')?.split(',')[0] ?? 'http';
      // next/headers has no request URL: the page the action or fetch came from is the best stand-in.
      const tracking = current.begin({
        method: request?.method ?? 'POST',
        url: request?.url ?? incoming.get('referer') ?? `${proto}://${host}/`,
        headers: Object.fromEntries(request?.headers ?? incoming),
        cookies: Object.fromEntries(jar.getAll().map((c) => [c.name, c.value])),
      });
      // Without a visitor cookie core still keeps the event, under an id of its own.
      tracking.track(eventType, properties);
      await deliver(() => current.flush());
    } catch (error) {
      // cookies()/headers() throw outside a request scope (e.g. at build time): reported like every
      // other failure, to the logger and onError.
      report(error, 'track() failed');
    }
  }

  return {
    track,
    get client() {
      return getClient();
    },
  };
}

/** Runs delivery after the response (Next 15.1+ `after`); awaits it inline where `after` is unavailable. */
async function deliver(task: () => Promise<void>): Promise<void> {
  try {
    after(task);
  } catch {
    // Next 15.0 (no `after`) or a call outside a request scope.
    await task();
  }
}

let shared: ServerTracker | undefined;

/**
 * Tracks a custom event from a route handler or server action with the current visitor's identity.
 *
 * @example
 * // app/api/signup/route.ts
 * import { track } from '@mbuzz/next/server';
 * export async function POST(request: Request) {
 *   const form = await request.formData();
 *   await track('signup', { plan: form.get('plan') });
 *   return new Response(null, { status: 303, headers: { location: '/welcome' } });
 * }
 */
export function track(eventType: string, properties?: Record<string, unknown>, request?: Request) {
  shared ??= createTracker();
  return shared.track(eventType, properties, request);
}
