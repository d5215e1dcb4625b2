import { createMbuzzError } from '../errors.js';
import type { Logger, MbuzzError, MbuzzErrorCode } from '../types.js';

/** Reports a failure to `onError` and the logger. Never throws, whatever the hooks do. */
export type Report = (code: MbuzzErrorCode, message: string, cause?: unknown) => void;

export function createReporter(onError: ((error: MbuzzError) => void) | undefined, logger: Logger): Report {
  return (code, message, cause) => {
    let error: MbuzzError | undefined;
    try {
      error = createMbuzzError(code, message, cause === undefined ? {} : { cause });
      logger.warn(`[mbuzz] ${message}`);
    } catch {}
    try {
      if (error !== undefined) onError?.(error);
    } catch {}
  };
}
