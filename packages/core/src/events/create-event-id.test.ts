import { describe, expect, it } from 'vitest';
import { createEventId } from './create-event-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('createEventId', () => {
  it('is a UUIDv7 carrying the millisecond timestamp', () => {
    const now = Date.UTC(2025, 10, 6, 10, 30, 45, 123);
    const id = createEventId(now + 10_000_000); // later than any id made before in this file
    expect(id).toMatch(UUID_V7);
    expect(timestampOf(id)).toBe(now + 10_000_000);
  });

  it('is unique and strictly increasing within one millisecond, and when the clock goes back', () => {
    const now = Date.now() + 20_000_000;
    const ids = [
      ...Array.from({ length: 5000 }, () => createEventId(now)),
      ...Array.from({ length: 100 }, () => createEventId(now - 5000)),
      ...Array.from({ length: 100 }, () => createEventId(now + 1)),
    ];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('is random across milliseconds', () => {
    const base = Date.now() + 30_000_000;
    const tails = new Set(Array.from({ length: 200 }, (_, i) => createEventId(base + i).slice(15)));
    expect(tails.size).toBe(200);
  });
});
