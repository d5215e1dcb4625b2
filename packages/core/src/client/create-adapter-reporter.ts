import { createMbuzzError } from '../errors.js';
import { defaultLogger } from '../options/default-logger.js';
import type { MbuzzOptions } from '../options/mbuzz-options.js';

/**
 * Where an adapter's own failures go — like core's: a warning on the logger and `onError` — never back
 * into the request. Every adapter (Express, Koa, Fastify, Next.js) reports through it. A failure there is
 * a bug in mbuzz or a call it cannot serve, hence the `internal` code. The message says which adapter
 * failed, or what failed when `what` is given. The returned function never throws, whatever the logger or
 * `onError` do. Edge-safe.
 *
 * @example
 * ```ts
 * const report = createAdapterReporter(options, 'Express');
 * try { trackNodeResponse(res, client.begin(view), report); } catch (error) { report(error); }
 * ```
 */
export function createAdapterReporter(
  options: Pick<MbuzzOptions, 'logger' | 'onError'>,
  adapterName: string,
): (error: unknown, what?: string) => void {
  const adapterFailed = `[mbuzz] the ${adapterName} adapter failed`;
  return (cause, what) => {
    const error = createMbuzzError('internal', what === undefined ? adapterFailed : `[mbuzz] ${what}`, {
      cause,
    });
    try {
      (options.logger ?? defaultLogger).warn(error.message, cause);
    } catch {}
    try {
      options.onError?.(error);
    } catch {
      // A throwing onError has nowhere left to report to, and the response must go on.
    }
  };
}
