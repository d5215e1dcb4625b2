import { describe, expect, it, vi } from 'vitest';
import { countUtf8, utf8ByteLength } from './utf8-byte-length.js';

const samples = [
  '',
  'plain ascii {"a":1}',
  'café ñ',
  '日本語のテキスト',
  'emoji 😀👍🏽',
  'lone \ud800 surrogate',
  'trailing high \ud83d',
  JSON.stringify({ path: '/é/😀', q: 'a"b\\c\n' }),
];

describe('utf8ByteLength', () => {
  it.each(samples)('matches the bytes TextEncoder produces for %j', (text) => {
    const expected = new TextEncoder().encode(text).length;
    expect(utf8ByteLength(text)).toBe(expected);
    expect(countUtf8(text)).toBe(expected);
  });
});

describe('utf8ByteLength without Buffer (Edge runtimes)', () => {
  it('counts with TextEncoder.encodeInto, long texts included', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    try {
      const edge = await import('./utf8-byte-length.js');
      for (const text of [...samples, 'é'.repeat(5000), '😀'.repeat(3000)]) {
        expect(edge.utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
      }
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
