import { createMbuzzError, type MbuzzOptions } from '@mbuzz/core';

/**
 * Where the adapter's own failures go — like core's: a warning on the logger and `onError` — never back
 * into the request. A failure here is a bug in mbuzz, hence the `internal` code.
 */
export function reporterFor(options: MbuzzOptions): (error: unknown) => void {
  return (cause) => {
    const error = createMbuzzError('internal', '[mbuzz] the Koa adapter failed', { cause });
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
