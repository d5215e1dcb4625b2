import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './parse-timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2025-11-06T10:30:45.123Z', Date.UTC(2025, 10, 6, 10, 30, 45, 123)],
    ['2025-11-06T10:30:45Z', Date.UTC(2025, 10, 6, 10, 30, 45)],
    ['2025-11-06T10:30Z', Date.UTC(2025, 10, 6, 10, 30)],
    ['2025-11-06T12:30:45.123456+02:00', Date.UTC(2025, 10, 6, 10, 30, 45, 123)],
    ['2025-11-06T05:00:00-0530', Date.UTC(2025, 10, 6, 10, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    '2025-11-06T10:30:45', // no zone
    '2025-11-06 10:30:45Z',
    '2025-11-06',
    '1762425045123',
    '2025-02-29T00:00:00Z', // not a leap year
    '2025-04-31T00:00:00Z',
    '2025-11-06T24:00:00Z',
    '2025-11-06T10:60:00Z',
    '2025-11-06T10:30:60Z',
    '2025-11-06T10:30:00+16:00',
    '0999-01-01T00:00:00Z',
    '2025-11-06T10:30:00.Z',
    '2025-11-06T10:30:00.1234567890Z',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });
});
