import { describe, expect, it } from 'vitest';
import { defaultConversion } from '../src/default-conversion.js';

describe('defaultConversion', () => {
  it('prefers a likely conversion name over the alphabetical first type', () => {
    expect(defaultConversion(['<svg onload=alert(2)>', 'add_to_cart', 'signup'])).toBe('signup');
    expect(defaultConversion(['add_to_cart', 'signup', 'purchase'])).toBe('purchase');
  });

  it('matches names whatever their case and returns them as stored', () => {
    expect(defaultConversion(['Click', 'Sign_Up'])).toBe('Sign_Up');
  });

  it('falls back to the first type, and to null without any', () => {
    expect(defaultConversion(['add_to_cart', 'video_play'])).toBe('add_to_cart');
    expect(defaultConversion([])).toBeNull();
  });
});
