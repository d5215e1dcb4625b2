import { describe, expect, it } from 'vitest';
import { createMbuzzError, isMbuzzError } from './errors.js';

describe('createMbuzzError', () => {
  it('builds an Error with a code and only the details given', () => {
    const cause = new TypeError('fetch failed');
    const error = createMbuzzError('http', 'ingest answered 401', {
      status: 401,
      eventIds: ['a', 'b'],
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'MbuzzError', code: 'http', status: 401, eventIds: ['a', 'b'] });
    expect(error.message).toBe('ingest answered 401');
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('ingest answered 401');

    const bare = createMbuzzError('queue_full', 'full');
    expect('status' in bare || 'eventIds' in bare || 'cause' in bare).toBe(false);
  });
});

describe('isMbuzzError', () => {
  it('recognises SDK errors only', () => {
    expect(isMbuzzError(createMbuzzError('network', 'down'))).toBe(true);
    expect(isMbuzzError(new Error('plain'))).toBe(false);
    expect(isMbuzzError(Object.assign(new Error('x'), { name: 'MbuzzError', code: 'nope' }))).toBe(false);
    expect(isMbuzzError({ name: 'MbuzzError', code: 'http', message: 'not an Error' })).toBe(false);
    expect(isMbuzzError(null)).toBe(false);
  });
});
