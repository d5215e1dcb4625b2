import { describe, expect, it } from 'vitest';
import type { Account } from '../accounts/index.js';
import { formatDemoBanner } from './format-demo-banner.js';

const account = { id: 'a1', name: 'Demo', slug: 'demo' } as Account;
const created = {
  created: true as const,
  account,
  key: `sk_test_${'a'.repeat(32)}`,
  prefix: 'sk_test_aaaa',
  user: { email: 'demo@mbuzz.local', password: 'P_84k_yfCnocFOzRaksekRol' },
};

describe('formatDemoBanner', () => {
  it('prints the new login and key once, with the dashboard URL on loopback', () => {
    const text = formatDemoBanner(created, 'http://0.0.0.0:3000', { dashboard: true });
    expect(text).toContain('Open the dashboard at http://127.0.0.1:3000/ and log in with:');
    expect(text).toMatch(/^ {4}email {5}demo@mbuzz\.local$/m);
    expect(text).toMatch(/^ {4}password {2}P_84k_yfCnocFOzRaksekRol$/m);
    expect(text).toMatch(new RegExp(`^ {4}${created.key}$`, 'm'));
    expect(text).toContain('curl -i -X POST http://127.0.0.1:3000/api/v1/events');
  });

  it('says when the dashboard is off, and prints the URL alone for a DATABASE_URL service', () => {
    const off = formatDemoBanner(created, 'http://127.0.0.1:3000', { dashboard: false });
    expect(off).toContain('the dashboard is off: DASHBOARD=false');
    expect(off).toContain('P_84k_yfCnocFOzRaksekRol'); // the login exists all the same: shown once
    expect(formatDemoBanner(undefined, 'http://127.0.0.1:8080', { dashboard: true })).toBe(
      '\n  mbuzz ingest on http://127.0.0.1:8080.\n  Dashboard: http://127.0.0.1:8080/\n',
    );
    expect(formatDemoBanner(undefined, 'http://127.0.0.1:8080', { dashboard: false })).toContain(
      'Dashboard: off (DASHBOARD=false)',
    );
  });

  it('on a later start: the URL and how to make a login or a key, no secret', () => {
    const text = formatDemoBanner({ created: false, account }, 'http://127.0.0.1:3000', { dashboard: true });
    expect(text).toContain('Dashboard: http://127.0.0.1:3000/');
    expect(text).toContain('pnpm ingest users create --account demo --email you@example.com --role admin');
    expect(text).toContain('pnpm ingest keys create --account demo --environment test');
    expect(text).not.toMatch(/sk_test_[0-9a-f]{32}|password {2}/);
  });
});
