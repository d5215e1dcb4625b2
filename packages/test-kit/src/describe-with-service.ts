import { describe, it } from 'vitest';
import type { ServiceForTests } from './services-for-tests.js';

/**
 * `describe` for tests that need a server found by `postgresForTests()` or `redisForTests()`: declared
 * as usual when it answers, skipped when it does not (the finder printed the one line saying so), and
 * with `CI` set, one failing test ("has a Redis to talk to") that says what is missing instead.
 *
 * @example
 * const redis = await redisForTests();
 * describeWithService(redis, 'rate limit (Redis store)', () => { it('…', async () => { … }); });
 */
export function describeWithService(service: ServiceForTests, name: string, body: () => void): void {
  if (service.available) describe(name, body);
  else if (service.skip) describe.skip(name, body);
  else {
    describe(name, () => {
      it(`has a ${service.name} to talk to`, () => {
        throw new Error(service.missing);
      });
    });
  }
}
