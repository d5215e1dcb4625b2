import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './parse-json-body.js';

const parse = (text: string | Buffer) => parseJsonBody(typeof text === 'string' ? Buffer.from(text) : text);

describe('parseJsonBody', () => {
  it('parses strict UTF-8 JSON', () => {
    expect(parse('{"events":[{"a":"é😀"}]}')).toEqual({ events: [{ a: 'é😀' }] });
  });

  it.each([
    ['not JSON', '{"events":'],
    ['empty', ''],
    ['invalid UTF-8', Buffer.from([0x7b, 0x7d, 0xc3])],
    ['overlong UTF-8', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
    ['__proto__ key', '{"a":{"__proto__":{"x":1}}}'],
    ['escaped __proto__ key', '{"\\u005f\\u005fproto__":1}'],
    ['constructor.prototype', '[{"constructor":{"prototype":{}}}]'],
  ])('refuses %s with 400 invalid_json', (_name, body) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ statusCode: 400, code: 'invalid_json' }));
  });

  it('allows "constructor" as an ordinary key and survives deep nesting', () => {
    expect(parse('{"constructor":"x","c":{"constructor":{"name":1}}}')).toEqual({
      constructor: 'x',
      c: { constructor: { name: 1 } },
    });
    const depth = 50_000;
    expect(() => parse(`${'['.repeat(depth)}"\\u0041"${']'.repeat(depth)}`)).not.toThrow();
  });
});
