import type { Logger } from '../types.js';

/**
 * Warnings and errors go to the console (SDK messages already start with `[mbuzz]`); debug and info are
 * silent so a healthy SDK says nothing. `console` is looked up at call time: some runtimes replace it.
 */
export const defaultLogger: Logger = Object.freeze({
  warn(message: string, ...args: unknown[]) {
    globalThis.console?.warn(message, ...args);
  },
  error(message: string, ...args: unknown[]) {
    globalThis.console?.error(message, ...args);
  },
});
