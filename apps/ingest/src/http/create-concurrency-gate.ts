import { unavailable } from './api-error.js';

/**
 * Bounds how much database work runs at once. Beyond `max`, callers wait up to `queueTimeoutMs` for a
 * slot (and at most `maxQueue` of them), then get a 503 that the sender may retry — instead of an
 * unbounded queue inside the pool that turns overload into timeouts for everyone.
 */
export function createConcurrencyGate(options: { max: number; queueTimeoutMs: number; maxQueue?: number }) {
  const maxQueue = options.maxQueue ?? 1000;
  let active = 0;
  const waiting: Array<() => void> = [];

  const acquire = (): Promise<void> => {
    if (active < options.max) {
      active += 1;
      return Promise.resolve();
    }
    if (waiting.length >= maxQueue) return Promise.reject(unavailable('server is busy, retry later'));
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = waiting.indexOf(grant);
        if (at !== -1) waiting.splice(at, 1);
        reject(unavailable('server is busy, retry later'));
      }, options.queueTimeoutMs);
      waiting.push(grant);
    });
  };

  const release = (): void => {
    const next = waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else active -= 1;
  };

  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
  };
}
