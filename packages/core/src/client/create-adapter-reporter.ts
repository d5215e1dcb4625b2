import { createMbuzzError } from '../errors.js';
import type { MbuzzOptions } from '../options/mbuzz-options.js';

/**
 * Where an adapter's own failures go — like core's: a warning on the logger and `onError` — never back
 * into the request. A failure there is a bug in mbuzz, hence the `internal` code. The returned function
 * never throws, whatever the logger or `onError` do.
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
): (error: unknown) => void {
  const message = `[mbuzz] the ${adapterName} adapter failed`;
  return (cause) => {
    const error = createMbuzzError('internal', message, { cause });
    try {
      if (options.logger) options.logger.warn(error.message, cause);
      else console.warn(error.message, cause);
    } catch {}
    try {
      options.onError?.(error);
    } catch {
      // A throwing onError has nowhere left to report to, and the response must go on.
    }
  };
}
