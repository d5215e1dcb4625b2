import { describe, expect, it } from 'vitest';
import { addDays, dayIn, lastDays } from '../src/days.js';

describe("the custom range's default days", () => {
  const at = new Date('2026-12-03T23:30:00Z');

  it("count 'today' in the account's time zone, not the browser's", () => {
    expect(dayIn('UTC', at)).toBe('2026-12-03');
    expect(dayIn('Asia/Tokyo', at)).toBe('2026-12-04');
    expect(dayIn('America/Los_Angeles', at)).toBe('2026-12-03');
  });

  it('are the last 30 days ending today in that zone, across month ends', () => {
    expect(lastDays(30, 'Asia/Tokyo', at)).toEqual(['2026-11-05', '2026-12-04']);
    expect(lastDays(30, 'UTC', at)).toEqual(['2026-11-04', '2026-12-03']);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
